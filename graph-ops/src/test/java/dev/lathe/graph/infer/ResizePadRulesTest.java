package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.BATCH;
import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ResizePadRules} against ONNX Runtime. */
class ResizePadRulesTest {
    @Test
    void resizeAndPad() throws Exception {
        for (long opset : new long[] {13, 17, 18, 21}) {
            check("resize" + opset, opset, b -> {
                Value x = b.graph().inputs().get(0);
                List<Value> o = new ArrayList<>();
                Value empty = b.constant(Tensor.ofFloats(new long[] {0}));
                o.add(op(b, "Resize", attrs("mode", Attr.of("nearest")), x, empty,
                        b.constant(Tensor.ofFloats(new long[] {4}, 1f, 1f, 2f, 1.5f))));
                o.add(op(b, "Resize", attrs("mode", Attr.of("cubic"), "coordinate_transformation_mode",
                        Attr.of("align_corners")), x, empty, empty, b.constant(BATCH, 4, 5, 17)));
                o.add(op(b, "Pad", Map.of(), x, b.constant(0, 0, 1, 2, 0, 0, 3, -1)));
                o.add(op(b, "Pad", attrs("mode", Attr.of("reflect")), x, b.constant(0, 0, 2, 2, 0, 0, 2, 2)));
                return o;
            });
        }
    }
}

package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link GeneratorRules} against ONNX Runtime. */
class GeneratorRulesTest {
    @Test
    void shapeSizeConstantsAndRanges() throws Exception {
        check("generators", 17, b -> {
            Value x = b.graph().inputs().get(0);
            List<Value> o = new ArrayList<>();
            o.add(op(b, "Shape", attrs("start", Attr.of(-3L), "end", Attr.of(-1L)), x));
            o.add(op(b, "Shape", attrs("start", Attr.of(3L), "end", Attr.of(1L)), x)); // empty window
            o.add(op(b, "Size", Map.of(), x));
            Value like = op(b, "ConstantOfShape", Map.of(), b.ops().shape(x));
            assertEquals(Shape.of("N", 4, 9, 9), like.shape());
            o.add(like);
            o.add(op(b, "Range", Map.of(), b.constant(Tensor.ofLongs(new long[0], 10)),
                    b.constant(Tensor.ofLongs(new long[0], -3)), b.constant(Tensor.ofLongs(new long[0], -4))));
            o.add(op(b, "Range", Map.of(), b.scalar(0.5f), b.scalar(3f), b.scalar(0.7f)));
            o.add(op(b, "Constant", attrs("value_floats", Attr.of(1f, 2f))));
            return o;
        });
    }
}

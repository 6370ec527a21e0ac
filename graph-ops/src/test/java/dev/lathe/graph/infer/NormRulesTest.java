package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;
import static dev.lathe.graph.infer.OrtShapes.w;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link NormRules} against ONNX Runtime, and BatchNormalization's parameter check. */
class NormRulesTest {
    @Test
    void normalizationsAgainstOnnxRuntime() throws Exception {
        check("norm", 17, b -> {
            Value x = b.graph().inputs().get(0);
            List<Value> o = new ArrayList<>();
            o.add(op(b, "InstanceNormalization", attrs(), x, w(b, 4), w(b, 4)));
            o.add(op(b, "LRN", attrs("size", Attr.of(3L)), x));
            // LayerNormalization's optional outputs: mean and inverse std, 1 on the normalized axes
            o.addAll(b.op("LayerNormalization", List.of(x, w(b, 9, 9), w(b, 9, 9)), attrs("axis", Attr.of(-2L)),
                    3));
            o.add(b.ops().batchNorm(x, w(b, 4), w(b, 4), w(b, 4), w(b, 4), 1e-5f));
            return o;
        });
    }

    @Test
    void layerNormStatisticsAndBatchNormParameters() {
        GraphBuilder b = new GraphBuilder("norm", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 4, 9, 9);
        List<Value> ln = b.op("LayerNormalization", List.of(x, w(b, 9), w(b, 9)), attrs(), 3);
        assertEquals(Shape.of("N", 4, 9, 1), ln.get(1).shape());
        assertEquals(DataType.FLOAT, ln.get(2).dtype());
        ShapeInferenceException e = assertThrows(ShapeInferenceException.class,
                () -> b.ops().batchNorm(x, w(b, 3), w(b, 4), w(b, 4), w(b, 4), 1e-5f));
        assertTrue(e.getMessage().contains("has shape [3], expected [4]"), e.getMessage());
    }
}

package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link RandomRules} against ONNX Runtime, and the dtype attribute by the ONNX specification. */
class RandomRulesTest {
    @Test
    void drawsTakeTheirShapeFromTheAttributeOrTheInput() throws Exception {
        check("random", 17, b -> {
            Value x = b.graph().inputs().get(0);
            return List.of(op(b, "RandomUniformLike", Map.of(), x),
                    op(b, "RandomNormal", attrs("shape", Attr.of(2L, 3L)), new Value[0]),
                    op(b, "RandomUniform", attrs("shape", Attr.of(new long[] {5}), "dtype",
                            Attr.of((long) DataType.FLOAT.code())), new Value[0]),
                    op(b, "Bernoulli", Map.of(), op(b, "Sigmoid", Map.of(), x)));
        });
    }

    @Test
    void dtypeAttributeAndMissingShape() {
        GraphBuilder b = new GraphBuilder("random", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 3);
        Value d = op(b, "RandomNormalLike", attrs("dtype", Attr.of((long) DataType.DOUBLE.code())), x);
        assertEquals(DataType.DOUBLE, d.dtype());
        assertEquals(x.shape(), d.shape());
        ShapeInferenceException e = assertThrows(ShapeInferenceException.class,
                () -> op(b, "RandomUniform", Map.of(), new Value[0]));
        assertTrue(e.getMessage().contains("needs its shape attribute"), e.getMessage());
    }
}

package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;
import static dev.lathe.graph.infer.OrtShapes.w;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LinearRules} (and LayerNormalization, Flatten on the same inputs) against ONNX Runtime. */
class LinearRulesTest {
    @Test
    void matMulGemmAndLayerNorm() throws Exception {
        check("linear", 17, new long[] {3, 8}, b -> {
            Value x = b.graph().inputs().get(0);
            List<Value> o = new ArrayList<>();
            o.add(b.ops().matMul(x, w(b, 8, 5)));
            o.add(b.ops().matMul(x, w(b, 8))); // 1-D right operand
            o.add(b.ops().matMul(w(b, 3), x)); // 1-D left operand
            o.add(b.ops().matMul(w(b, 4, 1, 5, 3), x)); // batch broadcast
            Value flat = b.ops().flatten(x, 1);
            o.add(flat);
            o.add(b.ops().gemm(flat, w(b, 10, 24), w(b, 10), true));
            o.add(op(b, "Gemm", attrs("transA", Attr.of(1L)), w(b, 24, 3), w(b, 24, 6)));
            o.add(b.ops().layerNorm(x, w(b, 8), w(b, 8), -1, 1e-6f));
            o.add(b.ops().layerNorm(x, w(b, 3, 8), w(b, 3, 8), 1, 1e-6f));
            o.add(op(b, "Flatten", attrs("axis", Attr.of(0L)), w(b, 2, 3, 4)));
            // N * 24 has no representation as one Dim: the rank is kept, the size is unknown
            assertEquals(Shape.of(1, null), op(b, "Flatten", attrs("axis", Attr.of(0L)), x).shape());
            return o;
        });
    }
}

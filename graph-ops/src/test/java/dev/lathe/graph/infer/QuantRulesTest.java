package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link QuantRules} against ONNX Runtime. */
class QuantRulesTest {
    @Test
    void quantizeDequantize() throws Exception {
        check("qdq", 17, b -> {
            Value x = b.graph().inputs().get(0);
            Value q = op(b, "QuantizeLinear", Map.of(), x, b.scalar(0.05f),
                    b.constant(Tensor.of(DataType.INT8, new long[0], java.nio.ByteBuffer.allocate(1))));
            Value qu = op(b, "QuantizeLinear", Map.of(), x, b.scalar(0.05f));
            Value d = op(b, "DequantizeLinear", Map.of(), q, b.scalar(0.05f),
                    b.constant(Tensor.of(DataType.INT8, new long[0], java.nio.ByteBuffer.allocate(1))));
            return List.of(q, qu, d);
        });
    }
}

package dev.lathe.graph.infer;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.TensorType;
import java.util.List;

/**
 * Shape rules of QuantizeLinear and DequantizeLinear: the shape is the input's, the type the zero point's
 * (or output_dtype, else uint8) and the scale's.
 */
final class QuantRules {
    private QuantRules() {}

    static void registerAll() {
        ShapeInference.register("QuantizeLinear", QuantRules::quantizeLinear);
        ShapeInference.register("DequantizeLinear", c -> {
            // scale's type is the output type (float until opset 19 allowed float16/bfloat16 scales)
            return List.of(new TensorType(c.dtype(1), c.input(0).shape()));
        });
    }

    private static List<TensorType> quantizeLinear(InferenceContext c) {
        DataType out = DataType.UINT8;
        if (c.hasInput(2)) {
            out = c.dtype(2);
        } else if (c.attr("output_dtype") != null) {
            out = DataType.fromCode((int) c.attrInt("output_dtype", DataType.UINT8.code()));
        }
        return List.of(new TensorType(out, c.input(0).shape()));
    }
}

package dev.lathe.graph.infer;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.List;

/**
 * Shape rules of random draws: the shape is an attribute (or the input's), the type the dtype attribute
 * (default FLOAT, or the input's for the *Like forms and Bernoulli).
 */
final class RandomRules {
    private RandomRules() {}

    static void registerAll() {
        for (String op : List.of("RandomUniform", "RandomNormal")) {
            ShapeInference.register(op, c -> {
                long[] shape = c.attrInts("shape", null);
                if (shape == null) {
                    throw c.fail("needs its shape attribute");
                }
                return List.of(new TensorType(randomType(c, DataType.FLOAT), Shape.of(shape)));
            });
        }
        for (String op : List.of("RandomUniformLike", "RandomNormalLike", "Bernoulli")) {
            ShapeInference.register(op, c -> List.of(new TensorType(randomType(c, c.dtype(0)), c.shape(0))));
        }
    }

    private static DataType randomType(InferenceContext c, DataType fallback) {
        long code = c.attrInt("dtype", -1);
        return code < 0 ? fallback : DataType.fromCode((int) code);
    }
}

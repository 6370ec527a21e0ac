package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.axis;
import static dev.lathe.graph.infer.OnnxRules.broadcast;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Shape rules of normalizations: BatchNormalization (with opset 14's training outputs), LayerNormalization
 * (with its statistics outputs) and the ones whose output is shaped like the input.
 */
final class NormRules {
    private NormRules() {}

    static void registerAll() {
        for (String op : List.of("InstanceNormalization", "GroupNormalization", "LRN")) {
            ShapeInference.register(op, c -> List.of(c.input(0)));
        }
        ShapeInference.register("BatchNormalization", NormRules::batchNorm);
        ShapeInference.register("LayerNormalization", NormRules::layerNorm);
    }

    private static List<TensorType> batchNorm(InferenceContext c) {
        Shape x = c.shape(0);
        if (x.rank() < 2) {
            throw c.fail("input rank " + x.rank() + " < 2; BatchNormalization expects [N, C, ...]");
        }
        Dim ch = x.get(1);
        for (int i = 1; i <= 4; i++) {
            Shape p = c.shape(i);
            if (p.rank() != 1 || (ch.isFixed() && p.get(0).isFixed() && p.get(0).size() != ch.size())) {
                throw c.fail("input " + i + " ('" + c.node().input(i).name() + "') has shape " + p + ", expected ["
                        + ch + "]");
            }
        }
        // opset 14+ training mode adds running mean and variance outputs, shaped like the statistics
        return List.of(c.input(0), c.input(3), c.input(4));
    }

    private static List<TensorType> layerNorm(InferenceContext c) {
        Shape x = c.shape(0);
        int a = axis(c, c.attrInt("axis", -1), x.rank(), "axis");
        Shape scale = c.shape(1);
        List<Dim> normalized = x.dims().subList(a, x.rank());
        if (scale.rank() > normalized.size()) {
            throw c.fail("scale shape " + scale + " has more dims than the normalized part " + normalized);
        }
        broadcast(c, new Shape(normalized), scale);
        List<Dim> stat = new ArrayList<>(x.dims().subList(0, a));
        for (int i = a; i < x.rank(); i++) {
            stat.add(Dim.of(1));
        }
        DataType stash = c.attrInt("stash_type", 1) == 1 ? DataType.FLOAT : c.dtype(0);
        TensorType st = new TensorType(stash, new Shape(stat));
        return List.of(c.input(0), st, st);
    }
}

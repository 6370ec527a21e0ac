package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.broadcast;
import static dev.lathe.graph.infer.OnnxRules.merge;
import static dev.lathe.graph.infer.OnnxRules.requireSameType;

import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Shape rules of MatMul (numpy semantics: 1-D operands, broadcast batch dimensions) and Gemm.
 */
final class LinearRules {
    private LinearRules() {}

    static void registerAll() {
        ShapeInference.register("MatMul", LinearRules::matMul);
        ShapeInference.register("Gemm", LinearRules::gemm);
    }

    private static List<TensorType> matMul(InferenceContext c) {
        requireSameType(c, 0, 1);
        Shape a = c.shape(0);
        Shape b = c.shape(1);
        if (a.rank() == 0 || b.rank() == 0) {
            throw c.fail("MatMul inputs must have rank >= 1, got " + a + " and " + b);
        }
        boolean aVec = a.rank() == 1;
        boolean bVec = b.rank() == 1;
        List<Dim> ad = new ArrayList<>(a.dims());
        List<Dim> bd = new ArrayList<>(b.dims());
        if (aVec) {
            ad.add(0, Dim.of(1));
        }
        if (bVec) {
            bd.add(Dim.of(1));
        }
        merge(c, ad.get(ad.size() - 1), bd.get(bd.size() - 2), "inner dimensions of " + a + " @ " + b
                + " differ");
        Shape batch = broadcast(c, new Shape(ad.subList(0, ad.size() - 2)), new Shape(bd.subList(0, bd.size() - 2)));
        List<Dim> out = new ArrayList<>(batch.dims());
        if (!aVec) {
            out.add(ad.get(ad.size() - 2));
        }
        if (!bVec) {
            out.add(bd.get(bd.size() - 1));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> gemm(InferenceContext c) {
        requireSameType(c, 0, 1);
        Shape a = c.shape(0);
        Shape b = c.shape(1);
        if (a.rank() != 2 || b.rank() != 2) {
            throw c.fail("Gemm inputs must be 2-D, got " + a + " and " + b);
        }
        boolean ta = c.attrInt("transA", 0) != 0;
        boolean tb = c.attrInt("transB", 0) != 0;
        Dim m = ta ? a.get(1) : a.get(0);
        Dim ka = ta ? a.get(0) : a.get(1);
        Dim kb = tb ? b.get(1) : b.get(0);
        Dim n = tb ? b.get(0) : b.get(1);
        merge(c, ka, kb, "inner dimensions of A " + a + (ta ? "^T" : "") + " and B " + b + (tb ? "^T" : "")
                + " differ");
        Shape out = new Shape(List.of(m, n));
        if (c.hasInput(2)) {
            // C must be unidirectionally broadcastable to [M, N]
            Shape bias = c.shape(2);
            Shape joined = broadcast(c, out, bias);
            if (!joined.equals(out) && out.isStatic()) {
                throw c.fail("bias " + bias + " does not broadcast to " + out);
            }
        }
        return List.of(new TensorType(c.dtype(0), out));
    }
}

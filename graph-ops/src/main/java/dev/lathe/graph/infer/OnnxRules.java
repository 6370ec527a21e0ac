package dev.lathe.graph.infer;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Inference rules for the ai.onnx operators Lathe's models and torch.onnx exports use, with the semantics of
 * opsets 13 to 21 (and the attribute forms of older opsets where an import still carries them: Squeeze/Unsqueeze/
 * Split/Reduce axes as attributes, Pad's pads attribute). Unknown and symbolic dimensions propagate; a rule fails
 * (naming the node through {@link InferenceContext#fail}) only when the inputs cannot be valid for the op.
 *
 * <p>The rules live in one class per op family ({@link ElementwiseRules}, {@link ConvPoolRules}, {@link NormRules},
 * {@link LinearRules}, {@link ShapeOpRules}, {@link IndexingRules}, {@link GeneratorRules}, {@link ResizePadRules},
 * {@link ReduceRules}, {@link QuantRules}, {@link RandomRules}); this class registers them all and holds what several
 * families share: broadcasting, merging dims that must agree, axis normalization and input type checks.
 */
final class OnnxRules {
    private OnnxRules() {}

    static void registerAll() {
        ElementwiseRules.registerAll();
        RandomRules.registerAll();
        ConvPoolRules.registerAll();
        NormRules.registerAll();
        LinearRules.registerAll();
        ShapeOpRules.registerAll();
        IndexingRules.registerAll();
        GeneratorRules.registerAll();
        ResizePadRules.registerAll();
        ReduceRules.registerAll();
        QuantRules.registerAll();
    }

    /** Product of dimensions: fixed if all are fixed, the single symbolic one when the rest multiply to 1. */
    static Dim product(List<Dim> dims) {
        long p = 1;
        Dim symbolic = null;
        for (Dim d : dims) {
            if (d instanceof Dim.Fixed f) {
                p *= f.size();
            } else if (symbolic == null && d instanceof Dim.Symbolic) {
                symbolic = d;
            } else {
                return Dim.UNKNOWN;
            }
        }
        if (symbolic != null) {
            return p == 1 ? symbolic : Dim.UNKNOWN;
        }
        return Dim.of(p);
    }

    static long[] ones(int n) {
        long[] o = new long[n];
        Arrays.fill(o, 1);
        return o;
    }

    /** Normalizes a possibly negative axis into [0, rank), failing with the node's name when out of range. */
    static int axis(InferenceContext c, long axis, int rank, String what) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw c.fail(what + " " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    static void requireSameType(InferenceContext c, int i, int j) {
        if (c.dtype(i) != c.dtype(j)) {
            throw c.fail("input " + j + " has type " + c.dtype(j) + ", input " + i + " has " + c.dtype(i));
        }
    }

    static void requireType(InferenceContext c, int i, DataType t) {
        if (c.dtype(i) != t) {
            throw c.fail("input " + i + " must be " + t + ", got " + c.dtype(i));
        }
    }

    /** A rank-only shape for a 1-D shape-like input whose values are not known, or null if its length is unknown. */
    static Shape unknownShape(InferenceContext c, int i) {
        Shape s = c.shape(i);
        if (s.rank() != 1 || !s.get(0).isFixed()) {
            return null;
        }
        return new Shape(Collections.nCopies((int) s.get(0).size(), Dim.UNKNOWN));
    }

    /** Integer list from constant input i when present, else from attribute {@code attr} (older opsets). */
    static long[] intsFromInputOrAttr(InferenceContext c, int i, String attr) {
        if (c.hasInput(i)) {
            ShapeValue v = c.shapeValue(i);
            return v == null ? null : v.knownValues();
        }
        return c.attrInts(attr, null);
    }

    /** Numpy-style multidirectional broadcasting of all inputs, which must share one element type. */
    static List<TensorType> broadcastN(InferenceContext c) {
        Shape out = c.input(0).shape();
        for (int i = 1; i < c.inputCount(); i++) {
            requireSameType(c, 0, i);
            Shape s = c.input(i).shape();
            out = out == null || s == null ? null : broadcast(c, out, s);
        }
        return List.of(new TensorType(c.dtype(0), out));
    }

    static Shape broadcastShapes(InferenceContext c, int i, int j) {
        Shape a = c.input(i).shape();
        Shape b = c.input(j).shape();
        return a == null || b == null ? null : broadcast(c, a, b);
    }

    static Shape broadcast(InferenceContext c, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        List<Dim> out = new ArrayList<>(r);
        for (int i = 0; i < r; i++) {
            Dim x = i - (r - a.rank()) >= 0 ? a.get(i - (r - a.rank())) : Dim.of(1);
            Dim y = i - (r - b.rank()) >= 0 ? b.get(i - (r - b.rank())) : Dim.of(1);
            out.add(broadcastDim(c, x, y, a, b));
        }
        return new Shape(out);
    }

    private static Dim broadcastDim(InferenceContext c, Dim x, Dim y, Shape a, Shape b) {
        if (x.equals(y)) {
            return x;
        }
        if (x instanceof Dim.Fixed fx && fx.size() == 1) {
            return y;
        }
        if (y instanceof Dim.Fixed fy && fy.size() == 1) {
            return x;
        }
        if (x instanceof Dim.Fixed fx && y instanceof Dim.Fixed fy) {
            long d = IntOps.broadcastDim(fx.size(), fy.size());
            if (d < 0) {
                throw c.fail("shapes " + a + " and " + b + " do not broadcast");
            }
            return Dim.of(d);
        }
        // a symbolic or unknown dim against a fixed one (not 1) must equal it, else the model is invalid
        return x.isFixed() ? x : (y.isFixed() ? y : Dim.UNKNOWN);
    }

    /** Two dims that must be equal (concat's other axes, matmul's K): the more specific one, or a failure. */
    static Dim merge(InferenceContext c, Dim a, Dim b, String what) {
        if (a.isFixed() && b.isFixed() && a.size() != b.size()) {
            throw c.fail(what + ": " + a + " vs " + b);
        }
        if (a.isFixed()) {
            return a;
        }
        if (b.isFixed()) {
            return b;
        }
        return a instanceof Dim.Symbolic ? a : b;
    }
}

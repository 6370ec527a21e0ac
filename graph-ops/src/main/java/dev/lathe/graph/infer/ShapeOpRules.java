package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.axis;
import static dev.lathe.graph.infer.OnnxRules.broadcast;
import static dev.lathe.graph.infer.OnnxRules.intsFromInputOrAttr;
import static dev.lathe.graph.infer.OnnxRules.product;
import static dev.lathe.graph.infer.OnnxRules.unknownShape;

import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Shape rules of ops that rearrange dimensions: Flatten, Reshape (0 and -1, symbols cancelled across the
 * reshape), Transpose, Squeeze, Unsqueeze, Tile, Expand, DepthToSpace and SpaceToDepth.
 */
final class ShapeOpRules {
    private ShapeOpRules() {}

    static void registerAll() {
        ShapeInference.register("Flatten", ShapeOpRules::flatten);
        ShapeInference.register("Reshape", ShapeOpRules::reshape);
        ShapeInference.register("Transpose", ShapeOpRules::transpose);
        ShapeInference.register("Squeeze", ShapeOpRules::squeeze);
        ShapeInference.register("Unsqueeze", ShapeOpRules::unsqueeze);
        ShapeInference.register("Tile", ShapeOpRules::tile);
        ShapeInference.register("Expand", c -> {
            ShapeValue target = c.shapeValue(1);
            Shape to = target != null ? target.toShape() : unknownShape(c, 1);
            if (to == null) {
                return List.of(new TensorType(c.dtype(0), null));
            }
            return List.of(new TensorType(c.dtype(0), broadcast(c, c.shape(0), to)));
        });
        ShapeInference.register("DepthToSpace", ShapeOpRules::depthToSpace);
        ShapeInference.register("SpaceToDepth", ShapeOpRules::spaceToDepth);
    }

    private static List<TensorType> flatten(InferenceContext c) {
        Shape s = c.shape(0);
        long ax = c.attrInt("axis", 1);
        if (ax < 0) {
            ax += s.rank();
        }
        if (ax < 0 || ax > s.rank()) {
            throw c.fail("axis " + c.attrInt("axis", 1) + " is out of range for rank " + s.rank());
        }
        return List.of(new TensorType(c.dtype(0), new Shape(List.of(product(s.dims().subList(0, (int) ax)),
                product(s.dims().subList((int) ax, s.rank()))))));
    }

    private static List<TensorType> reshape(InferenceContext c) {
        Shape in = c.shape(0);
        ShapeValue target = c.shapeValue(1);
        if (target == null) {
            return List.of(new TensorType(c.dtype(0), unknownShape(c, 1)));
        }
        if (target.scalar()) {
            throw c.fail("shape input must be 1-D, got a scalar");
        }
        boolean allowZero = c.attrInt("allowzero", 0) != 0;
        List<Dim> out = new ArrayList<>();
        int inferred = -1;
        for (int i = 0; i < target.size(); i++) {
            ShapeValue.Term t = target.get(i);
            if (t.isKnown() && t.value() == -1) {
                if (inferred >= 0) {
                    throw c.fail("shape " + target + " has more than one -1");
                }
                inferred = i;
                out.add(Dim.UNKNOWN);
            } else if (t.isKnown() && t.value() == 0 && !allowZero) {
                if (i >= in.rank()) {
                    throw c.fail("shape " + target + " copies dim " + i + " (0) but the input " + in + " has rank "
                            + in.rank());
                }
                out.add(in.get(i));
            } else if (t.isKnown() && t.value() < -1) {
                throw c.fail("shape " + target + " has invalid entry " + t.value());
            } else {
                out.add(t.toDim());
            }
        }
        if (inferred >= 0) {
            out.set(inferred, solveMissing(c, in.dims(), out, inferred, target));
        } else {
            checkSameCount(c, in.dims(), out, target);
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    /**
     * Splits dims into a fixed product and a sorted list of symbols; null when an unknown dim makes that
     * impossible. Equal symbol lists on both sides of a reshape cancel out.
     */
    private static List<Object> factor(List<Dim> dims, int skip) {
        long p = 1;
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < dims.size(); i++) {
            if (i == skip) {
                continue;
            }
            Dim d = dims.get(i);
            if (d instanceof Dim.Fixed f) {
                p *= f.size();
            } else if (d instanceof Dim.Symbolic s) {
                symbols.add(s.name());
            } else {
                return null;
            }
        }
        Collections.sort(symbols);
        return List.of(p, symbols);
    }

    private static Dim solveMissing(InferenceContext c, List<Dim> in, List<Dim> out, int at, ShapeValue target) {
        List<Object> fi = factor(in, -1);
        List<Object> fo = factor(out, at);
        if (fi == null || fo == null) {
            return Dim.UNKNOWN;
        }
        long pi = (Long) fi.get(0);
        long po = (Long) fo.get(0);
        List<?> si = (List<?>) fi.get(1);
        List<?> so = (List<?>) fo.get(1);
        if (si.equals(so)) {
            if (po == 0 || pi % po != 0) {
                throw c.fail("cannot reshape " + new Shape(in) + " to " + target + ": " + pi + " elements are not a"
                        + " multiple of " + po);
            }
            return Dim.of(pi / po);
        }
        if (so.isEmpty() && si.size() == 1 && pi == po) {
            return Dim.of((String) si.get(0));
        }
        return Dim.UNKNOWN;
    }

    private static void checkSameCount(InferenceContext c, List<Dim> in, List<Dim> out, ShapeValue target) {
        List<Object> fi = factor(in, -1);
        List<Object> fo = factor(out, -1);
        if (fi != null && fo != null && fi.get(1).equals(fo.get(1)) && !fi.get(0).equals(fo.get(0))) {
            throw c.fail("cannot reshape " + new Shape(in) + " (" + fi.get(0) + " elements) to " + target + " ("
                    + fo.get(0) + " elements)");
        }
    }

    private static List<TensorType> transpose(InferenceContext c) {
        Shape s = c.shape(0);
        long[] perm = c.attrInts("perm", null);
        if (perm == null) {
            perm = new long[s.rank()];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = s.rank() - 1 - i;
            }
        }
        if (perm.length != s.rank()) {
            throw c.fail("perm " + Arrays.toString(perm) + " has " + perm.length + " entries for rank " + s.rank());
        }
        boolean[] seen = new boolean[perm.length];
        List<Dim> out = new ArrayList<>();
        for (long p : perm) {
            int a = axis(c, p, s.rank(), "perm entry");
            if (seen[a]) {
                throw c.fail("perm " + Arrays.toString(perm) + " repeats axis " + a);
            }
            seen[a] = true;
            out.add(s.get(a));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> squeeze(InferenceContext c) {
        Shape s = c.shape(0);
        long[] axes = intsFromInputOrAttr(c, 1, "axes");
        if (axes == null && c.hasInput(1)) {
            return List.of(new TensorType(c.dtype(0), null));
        }
        List<Dim> out = new ArrayList<>();
        if (axes == null) {
            for (Dim d : s.dims()) {
                if (!d.isFixed()) {
                    return List.of(new TensorType(c.dtype(0), null)); // whether it is 1 decides the rank
                }
                if (d.size() != 1) {
                    out.add(d);
                }
            }
            return List.of(new TensorType(c.dtype(0), new Shape(out)));
        }
        boolean[] drop = new boolean[s.rank()];
        for (long ax : axes) {
            int a = axis(c, ax, s.rank(), "axis");
            if (s.get(a).isFixed() && s.get(a).size() != 1) {
                throw c.fail("cannot squeeze axis " + a + " of " + s + ": size " + s.get(a) + " is not 1");
            }
            drop[a] = true;
        }
        for (int i = 0; i < s.rank(); i++) {
            if (!drop[i]) {
                out.add(s.get(i));
            }
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> unsqueeze(InferenceContext c) {
        Shape s = c.shape(0);
        long[] axes = intsFromInputOrAttr(c, 1, "axes");
        if (axes == null) {
            if (c.hasInput(1)) {
                Shape ax = c.shape(1);
                if (ax.rank() == 1 && ax.get(0).isFixed()) {
                    return List.of(new TensorType(c.dtype(0), new Shape(Collections.nCopies(
                            (int) (s.rank() + ax.get(0).size()), Dim.UNKNOWN))));
                }
                return List.of(new TensorType(c.dtype(0), null));
            }
            throw c.fail("axes are required");
        }
        int r = s.rank() + axes.length;
        boolean[] inserted = new boolean[r];
        for (long ax : axes) {
            int a = axis(c, ax, r, "axis");
            if (inserted[a]) {
                throw c.fail("axes " + Arrays.toString(axes) + " repeat axis " + a);
            }
            inserted[a] = true;
        }
        List<Dim> out = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < r; i++) {
            out.add(inserted[i] ? Dim.of(1) : s.get(j++));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> tile(InferenceContext c) {
        Shape s = c.shape(0);
        ShapeValue reps = c.shapeValue(1);
        if (reps == null) {
            return List.of(new TensorType(c.dtype(0), new Shape(Collections.nCopies(s.rank(), Dim.UNKNOWN))));
        }
        if (reps.size() != s.rank()) {
            throw c.fail("repeats " + reps + " has " + reps.size() + " entries for input rank " + s.rank());
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            ShapeValue.Term t = reps.get(i);
            Dim d = s.get(i);
            if (t.isKnown() && t.value() == 1) {
                out.add(d);
            } else if (t.isKnown() && d.isFixed()) {
                out.add(Dim.of(d.size() * t.value()));
            } else {
                out.add(Dim.UNKNOWN);
            }
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> depthToSpace(InferenceContext c) {
        Shape s = c.shape(0);
        long b = c.attrInt("blocksize", 0);
        if (s.rank() != 4 || b <= 0) {
            throw c.fail("expects a 4-D input and blocksize > 0, got " + s + " and " + b);
        }
        Dim ch = s.get(1);
        if (ch.isFixed() && ch.size() % (b * b) != 0) {
            throw c.fail("channels " + ch + " are not divisible by blocksize^2 = " + b * b);
        }
        return List.of(new TensorType(c.dtype(0), Shape.of(s.get(0), ch.isFixed() ? ch.size() / (b * b) : null,
                scaleDim(s.get(2), b), scaleDim(s.get(3), b))));
    }

    private static List<TensorType> spaceToDepth(InferenceContext c) {
        Shape s = c.shape(0);
        long b = c.attrInt("blocksize", 0);
        if (s.rank() != 4 || b <= 0) {
            throw c.fail("expects a 4-D input and blocksize > 0, got " + s + " and " + b);
        }
        return List.of(new TensorType(c.dtype(0), Shape.of(s.get(0), scaleDim(s.get(1), b * b),
                s.get(2).isFixed() ? s.get(2).size() / b : null, s.get(3).isFixed() ? s.get(3).size() / b : null)));
    }

    private static Object scaleDim(Dim d, long k) {
        return d.isFixed() ? d.size() * k : null;
    }
}

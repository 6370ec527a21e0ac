package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.axis;
import static dev.lathe.graph.infer.OnnxRules.intsFromInputOrAttr;
import static dev.lathe.graph.infer.OnnxRules.merge;
import static dev.lathe.graph.infer.OnnxRules.ones;
import static dev.lathe.graph.infer.OnnxRules.requireSameType;

import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape rules of ops that select or join parts of a tensor: Concat, Split, Slice, Gather, GatherElements and
 * ScatterElements. Slice windows follow {@link IntOps#sliceAxis}.
 */
final class IndexingRules {
    private IndexingRules() {}

    static void registerAll() {
        ShapeInference.register("Concat", IndexingRules::concat);
        ShapeInference.register("Split", IndexingRules::split);
        ShapeInference.register("Slice", IndexingRules::slice);
        ShapeInference.register("Gather", IndexingRules::gather);
        ShapeInference.register("GatherElements", c -> List.of(new TensorType(c.dtype(0), c.shape(1))));
        ShapeInference.register("ScatterElements", c -> List.of(c.input(0)));
        ShapeInference.register("ScatterND", c -> List.of(c.input(0))); // the Gather backward (embeddings)
    }

    private static List<TensorType> concat(InferenceContext c) {
        Shape first = c.shape(0);
        int a = axis(c, c.attrInt("axis", 0), first.rank(), "axis");
        List<Dim> out = new ArrayList<>(first.dims());
        long total = 0;
        boolean fixed = true;
        for (int i = 0; i < c.inputCount(); i++) {
            requireSameType(c, 0, i);
            Shape s = c.shape(i);
            if (s.rank() != first.rank()) {
                throw c.fail("input " + i + " has rank " + s.rank() + ", input 0 has " + first.rank());
            }
            for (int d = 0; d < s.rank(); d++) {
                if (d != a) {
                    out.set(d, merge(c, out.get(d), s.get(d), "input " + i + " " + s + " differs from " + first
                            + " on axis " + d));
                }
            }
            if (s.get(a).isFixed()) {
                total += s.get(a).size();
            } else {
                fixed = false;
            }
        }
        out.set(a, fixed ? Dim.of(total) : Dim.UNKNOWN);
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> split(InferenceContext c) {
        Shape s = c.shape(0);
        int a = axis(c, c.attrInt("axis", 0), s.rank(), "axis");
        int n = c.outputCount();
        long[] sizes = intsFromInputOrAttr(c, 1, "split");
        Dim along = s.get(a);
        List<TensorType> out = new ArrayList<>();
        if (sizes != null) {
            if (sizes.length != n) {
                throw c.fail("split sizes " + Arrays.toString(sizes) + " give " + sizes.length + " parts for " + n
                        + " outputs");
            }
            long sum = Arrays.stream(sizes).sum();
            if (along.isFixed() && sum != along.size()) {
                throw c.fail("split sizes " + Arrays.toString(sizes) + " sum to " + sum + ", axis " + a + " of " + s
                        + " has " + along);
            }
            for (long size : sizes) {
                out.add(new TensorType(c.dtype(0), s.with(a, Dim.of(size))));
            }
            return out;
        }
        if (c.hasInput(1)) { // sizes given but not constant
            for (int i = 0; i < n; i++) {
                out.add(new TensorType(c.dtype(0), s.with(a, Dim.UNKNOWN)));
            }
            return out;
        }
        // equal split (num_outputs in opset 18+: the last part may be smaller)
        long parts = c.attrInt("num_outputs", n);
        for (int i = 0; i < n; i++) {
            Dim d = Dim.UNKNOWN;
            if (along.isFixed()) {
                long chunk = (along.size() + parts - 1) / parts;
                if (c.attr("num_outputs") == null && along.size() % parts != 0) {
                    throw c.fail("axis " + a + " of " + s + " does not split evenly into " + parts + " outputs");
                }
                d = Dim.of(i < n - 1 ? chunk : along.size() - chunk * (n - 1));
            }
            out.add(new TensorType(c.dtype(0), s.with(a, d)));
        }
        return out;
    }

    private static List<TensorType> slice(InferenceContext c) {
        Shape s = c.shape(0);
        long[] starts = intsFromInputOrAttr(c, 1, "starts");
        long[] ends = intsFromInputOrAttr(c, 2, "ends");
        long[] axes = intsFromInputOrAttr(c, 3, "axes");
        long[] steps = c.hasInput(4) ? intsFromInputOrAttr(c, 4, null) : null;
        if (starts == null || ends == null || (c.hasInput(3) && axes == null) || (c.hasInput(4) && steps == null)) {
            // bounds computed at run time: sliced axes unknown; without constant axes, every axis may change
            List<Dim> d = new ArrayList<>();
            for (int i = 0; i < s.rank(); i++) {
                d.add(axes != null && !contains(axes, i, s.rank()) ? s.get(i) : Dim.UNKNOWN);
            }
            return List.of(new TensorType(c.dtype(0), new Shape(d)));
        }
        if (starts.length != ends.length) {
            throw c.fail("starts " + Arrays.toString(starts) + " and ends " + Arrays.toString(ends) + " differ in"
                    + " length");
        }
        if (axes == null) {
            axes = new long[starts.length];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i;
            }
        }
        if (steps == null) {
            steps = ones(starts.length);
        }
        if (axes.length != starts.length || steps.length != starts.length) {
            throw c.fail("starts, ends, axes and steps must have equal lengths");
        }
        List<Dim> out = new ArrayList<>(s.dims());
        for (int i = 0; i < starts.length; i++) {
            int a = axis(c, axes[i], s.rank(), "axis");
            if (steps[i] == 0) {
                throw c.fail("slice step on axis " + a + " is 0");
            }
            Dim d = s.get(a);
            if (!d.isFixed()) {
                // slicing everything from 0 with step 1 (INT64_MAX end) keeps a symbolic dim
                boolean whole = starts[i] == 0 && steps[i] == 1 && ends[i] >= Integer.MAX_VALUE;
                out.set(a, whole ? d : Dim.UNKNOWN);
                continue;
            }
            out.set(a, Dim.of(IntOps.sliceAxis(starts[i], ends[i], steps[i], d.size())[1]));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static boolean contains(long[] axes, int a, int rank) {
        for (long x : axes) {
            if ((x < 0 ? x + rank : x) == a) {
                return true;
            }
        }
        return false;
    }

    private static List<TensorType> gather(InferenceContext c) {
        Shape data = c.shape(0);
        Shape idx = c.shape(1);
        if (!c.dtype(1).isInteger()) {
            throw c.fail("indices must be int32 or int64, got " + c.dtype(1));
        }
        int a = axis(c, c.attrInt("axis", 0), data.rank(), "axis");
        List<Dim> out = new ArrayList<>(data.dims().subList(0, a));
        out.addAll(idx.dims());
        out.addAll(data.dims().subList(a + 1, data.rank()));
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }
}

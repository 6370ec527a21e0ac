package dev.lathe.graph.autodiff;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.Arrays;

/** Backward rules of data-movement ops: the gradient is moved back, summed where the forward copied. */
final class ShapeGrads {
    private ShapeGrads() {}

    static void addTo(BackwardRules.Builder rules) {
        for (String op : new String[] {"Reshape", "Flatten", "Squeeze", "Unsqueeze"}) {
            rules.add(op, c -> {
                Value[] g = new Value[c.inputCount()];
                g[0] = c.ops().reshape(c.grad(0), c.shape(c.in(0)));
                return g;
            });
        }
        rules.add("Transpose", c -> {
            int rank = c.shape(c.in(0)).length;
            long[] perm = c.attrInts("perm", null);
            if (perm == null) {
                perm = new long[rank];
                for (int i = 0; i < rank; i++) {
                    perm[i] = rank - 1 - i;
                }
            }
            long[] inverse = new long[rank];
            for (int i = 0; i < rank; i++) {
                inverse[(int) perm[i]] = i;
            }
            return new Value[] {c.ops().transpose(c.grad(0), inverse)};
        });
        rules.add("Expand", c -> new Value[] {c.unbroadcast(c.grad(0), c.shape(c.out(0)), c.in(0)), null});
        rules.add("Concat", ShapeGrads::concat);
        rules.add("Split", ShapeGrads::split);
        rules.add("Slice", ShapeGrads::slice);
        rules.add("Tile", ShapeGrads::tile);
        rules.add("Gather", ShapeGrads::gather);
        rules.add("Pad", ShapeGrads::pad);
        rules.add("DepthToSpace", ShapeGrads::depthToSpace);
    }

    /**
     * DepthToSpace moves channel blocks to pixels; the gradient is moved back by the inverse permutation. CRD
     * (PyTorch's pixel_shuffle): [B, C r r, H, W] -> [B, C, r, r, H, W] -> perm (0,1,4,2,5,3); DCR: [B, r, r, C, H, W]
     * -> perm (0,3,4,1,5,2). The backward reshapes dY to the permuted 6-d shape and applies the inverse perm.
     */
    private static Value[] depthToSpace(BackwardContext c) {
        long[] x = c.shape(c.in(0));
        long r = c.node().attrInt("blocksize", 0);
        long ch = x[1] / (r * r);
        boolean crd = c.node().attrString("mode", "DCR").equals("CRD");
        long[] perm6 = crd ? new long[] {0, 1, 4, 2, 5, 3} : new long[] {0, 3, 4, 1, 5, 2};
        long[] split = crd ? new long[] {x[0], ch, r, r, x[2], x[3]} : new long[] {x[0], r, r, ch, x[2], x[3]};
        long[] permuted = new long[6];
        long[] inverse = new long[6];
        for (int i = 0; i < 6; i++) {
            permuted[i] = split[(int) perm6[i]];
            inverse[(int) perm6[i]] = i;
        }
        Ops o = c.ops();
        Value g = o.transpose(o.reshape(c.grad(0), permuted), inverse);
        return new Value[] {o.reshape(g, x)};
    }

    /** Constant-mode Pad with non-negative pads: dX is the window of dY the input occupies. */
    private static Value[] pad(BackwardContext c) {
        String mode = c.node().attrString("mode", "constant");
        if (!mode.equals("constant")) {
            throw c.fail("only constant-mode Pad is differentiated, got mode " + mode);
        }
        if (c.in(3) != null) {
            throw c.fail("Pad with an axes input is not differentiated");
        }
        long[] x = c.shape(c.in(0));
        int rank = x.length;
        long[] pads = c.constInts(1, "pads");
        long[] starts = new long[rank];
        long[] ends = new long[rank];
        long[] axes = new long[rank];
        long[] steps = new long[rank];
        for (int a = 0; a < rank; a++) {
            if (pads[a] < 0 || pads[a + rank] < 0) {
                throw c.fail("negative (cropping) pads are not differentiated, got " + Arrays.toString(pads));
            }
            starts[a] = pads[a];
            ends[a] = pads[a] + x[a];
            axes[a] = a;
            steps[a] = 1;
        }
        Value[] g = new Value[c.inputCount()];
        g[0] = c.ops().op("Slice", c.grad(0), c.ops().ints(starts), c.ops().ints(ends), c.ops().ints(axes), c.ops().ints(steps));
        return g;
    }

    private static Value[] concat(BackwardContext c) {
        int rank = c.shape(c.out(0)).length;
        long axis = c.attrInt("axis", 0);
        axis = axis < 0 ? axis + rank : axis;
        int n = c.inputCount();
        long[] sizes = new long[n];
        for (int i = 0; i < n; i++) {
            sizes[i] = c.shape(c.in(i))[(int) axis];
        }
        java.util.List<Value> parts = c.ops().op("Split", attrs("axis", Attr.of(axis)), n, c.grad(0), c.ops().ints(sizes));
        Value[] g = new Value[n];
        for (int i = 0; i < n; i++) {
            g[i] = c.needs(i) ? parts.get(i) : null;
        }
        return g;
    }

    private static Value[] split(BackwardContext c) {
        long axis = c.attrInt("axis", 0);
        int n = c.node().outputs().size();
        Value[] parts = new Value[n];
        for (int i = 0; i < n; i++) {
            parts[i] = c.gradOrZeros(i);
        }
        Value[] g = new Value[c.inputCount()];
        g[0] = c.ops().op("Concat", attrs("axis", Attr.of(axis)), parts);
        return g;
    }

    /** Slice with unit steps: pad dY back with zeros to the input's extent. */
    private static Value[] slice(BackwardContext c) {
        long[] x = c.shape(c.in(0));
        int rank = x.length;
        long[] starts = c.constInts(1, "starts");
        long[] ends = c.constInts(2, "ends");
        long[] axes = c.in(3) == null ? null : c.constInts(3, "axes");
        long[] steps = c.in(4) == null ? null : c.constInts(4, "steps");
        long[] pads = new long[2 * rank];
        for (int i = 0; i < starts.length; i++) {
            int a = (int) (axes == null ? i : (axes[i] < 0 ? axes[i] + rank : axes[i]));
            if (steps != null && steps[i] != 1) {
                throw c.fail("only unit-step slices are differentiated, got steps " + Arrays.toString(steps));
            }
            long s = clamp(starts[i] < 0 ? starts[i] + x[a] : starts[i], x[a]);
            long e = clamp(ends[i] < 0 ? ends[i] + x[a] : ends[i], x[a]);
            pads[a] = s;
            pads[a + rank] = x[a] - Math.max(s, e);
        }
        Value[] g = new Value[c.inputCount()];
        g[0] = c.ops().op("Pad", c.grad(0), c.ops().ints(pads));
        return g;
    }

    private static long clamp(long v, long dim) {
        return Math.max(0, Math.min(v, dim));
    }

    /** Tile: view dY as [r0, d0, r1, d1, ...] and sum over the repeat axes. */
    private static Value[] tile(BackwardContext c) {
        long[] x = c.shape(c.in(0));
        long[] reps = c.constInts(1, "repeats");
        long[] view = new long[2 * x.length];
        long[] repAxes = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            view[2 * i] = reps[i];
            view[2 * i + 1] = x[i];
            repAxes[i] = 2 * i;
        }
        return new Value[] {c.ops().reduceSum(c.ops().reshape(c.grad(0), view), false, repAxes), null};
    }

    /**
     * Gather along axis a: move a (in the data) and the index dimensions (in dY) to the front, ScatterND-add dY into
     * zeros, move the axis back. Repeated indices accumulate.
     */
    private static Value[] gather(BackwardContext c) {
        long[] x = c.shape(c.in(0));
        int rank = x.length;
        long axis = c.attrInt("axis", 0);
        int a = (int) (axis < 0 ? axis + rank : axis);
        int indexRank = c.shape(c.in(1)).length;
        int outRank = rank - 1 + indexRank;
        long[] toFront = new long[rank]; // data axes with a first
        toFront[0] = a;
        for (int i = 0, j = 1; i < rank; i++) {
            if (i != a) {
                toFront[j++] = i;
            }
        }
        long[] xt = new long[rank];
        for (int i = 0; i < rank; i++) {
            xt[i] = x[(int) toFront[i]];
        }
        long[] dyPerm = new long[outRank]; // index dims first, then the data's other dims in order
        int k = 0;
        for (int i = 0; i < indexRank; i++) {
            dyPerm[k++] = a + i;
        }
        for (int i = 0; i < outRank; i++) {
            if (i < a || i >= a + indexRank) {
                dyPerm[k++] = i;
            }
        }
        Value dy = a == 0 ? c.grad(0) : c.ops().transpose(c.grad(0), dyPerm);
        Value zeros = c.ops().constant(Tensor.filled(c.dtype(), 0.0, xt));
        Value idx = c.ops().unsqueeze(c.in(1).dtype() == dev.lathe.graph.ir.DataType.INT64 ? c.in(1)
                : c.ops().cast(c.in(1), dev.lathe.graph.ir.DataType.INT64), -1);
        Value scattered = c.ops().op("ScatterND", attrs("reduction", Attr.of("add")), zeros, idx, dy);
        if (a == 0) {
            return new Value[] {scattered, null};
        }
        long[] back = new long[rank];
        for (int i = 0; i < rank; i++) {
            back[(int) toFront[i]] = i;
        }
        return new Value[] {c.ops().transpose(scattered, back), null};
    }
}

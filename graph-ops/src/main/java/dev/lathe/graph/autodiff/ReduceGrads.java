package dev.lathe.graph.autodiff;


import dev.lathe.graph.ir.Value;

/** Backward rules of reductions and of Softmax/LogSoftmax (opset 13+ semantics: one axis). */
final class ReduceGrads {
    private ReduceGrads() {}

    static void addTo(BackwardRules.Builder rules) {
        // axes moved from an attribute to an input: ReduceSum in opset 13, the other reductions in 18
        rules.add("ReduceSum", 1, 13, c -> new Value[] {sum(c, false)});
        rules.add("ReduceSum", 13, Long.MAX_VALUE, c -> new Value[] {sum(c, true)});
        rules.add("ReduceMean", 1, 18, c -> new Value[] {mean(c, false)});
        rules.add("ReduceMean", 18, Long.MAX_VALUE, c -> new Value[] {mean(c, true)});
        rules.add("ReduceL2", 1, 18, c -> new Value[] {l2(c, false)});
        rules.add("ReduceL2", 18, Long.MAX_VALUE, c -> new Value[] {l2(c, true)});
        rules.add("Softmax", c -> {
            long axis = c.attrInt("axis", -1);
            Value gy = c.ops().mul(c.grad(0), c.out(0));
            Value s = c.ops().reduceSum(gy, true, axis);
            return new Value[] {c.ops().sub(gy, c.ops().mul(c.out(0), s))};
        });
        rules.add("LogSoftmax", c -> {
            long axis = c.attrInt("axis", -1);
            Value s = c.ops().reduceSum(c.grad(0), true, axis);
            return new Value[] {c.ops().sub(c.grad(0), c.ops().mul(c.ops().op("Exp", c.out(0)), s))};
        });
    }

    private static Value sum(BackwardContext c, boolean axesInput) {
        return spread(c, c.grad(0), axes(c, axesInput));
    }

    private static Value mean(BackwardContext c, boolean axesInput) {
        long[] axes = axes(c, axesInput);
        long[] x = c.shape(c.in(0));
        long count = 1;
        for (long a : axes) {
            count *= x[(int) a];
        }
        return spread(c, c.ops().mul(c.grad(0), c.scalar(1.0 / count)), axes);
    }

    // d||x||/dx = x / ||x||, taken as 0 where the norm is 0 (PyTorch's norm backward does the same masking).
    private static Value l2(BackwardContext c, boolean axesInput) {
        long[] axes = axes(c, axesInput);
        Value y = keepDims(c, c.out(0), axes);
        Value dy = keepDims(c, c.grad(0), axes);
        Value zero = c.scalar(0);
        Value isZero = c.ops().op("Equal", y, zero);
        Value safe = c.ops().op("Where", isZero, c.scalar(1), y);
        Value ratio = c.ops().op("Where", isZero, zero, c.ops().div(c.in(0), safe));
        return c.ops().mul(ratio, dy);
    }

    /** The reduced axes, normalised to be non-negative; an absent axes list means all axes. */
    static long[] axes(BackwardContext c, boolean axesInput) {
        int rank = c.shape(c.in(0)).length;
        long[] axes;
        if (axesInput) {
            axes = c.in(1) == null ? null : c.constInts(1, "axes");
        } else {
            axes = c.attrInts("axes", null);
        }
        if (axes == null || axes.length == 0) {
            if (c.attrInt("noop_with_empty_axes", 0) != 0) {
                throw c.fail("noop_with_empty_axes with no axes is an identity; not differentiated");
            }
            axes = new long[rank];
            for (int i = 0; i < rank; i++) {
                axes[i] = i;
            }
        }
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        }
        return axes;
    }

    /** A reduced value reshaped to keep its reduced axes as size 1 (a no-op if keepdims was set). */
    static Value keepDims(BackwardContext c, Value v, long[] axes) {
        if (c.attrInt("keepdims", 1) != 0) {
            return v;
        }
        long[] x = c.shape(c.in(0));
        long[] kept = x.clone();
        for (long a : axes) {
            kept[(int) a] = 1;
        }
        return c.ops().reshape(v, kept);
    }

    private static Value spread(BackwardContext c, Value g, long[] axes) {
        return c.ops().expand(keepDims(c, g, axes), c.shape(c.in(0)));
    }

}

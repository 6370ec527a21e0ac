package dev.lathe.graph.infer;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The integer semantics of the ai.onnx ops that compute shapes: broadcasting, Slice windows, Gather indices, Concat,
 * Shape's start/end, Reshape targets, Range lengths and integer Add/Sub/Mul/Div. This is their one home: symbolic
 * evaluation ({@link ShapeValue}), shape rules, constant folding ({@code pass.ConstantEvaluator}) and the pruning
 * analysis's constant shapes all call these, so they cannot disagree.
 *
 * <p>Nothing here throws on invalid input: a case the ONNX specification calls an error gives null, -1 or an empty
 * result, and the caller decides whether that is a failure (shape inference) or "leave it to the runtime" (folding).
 */
public final class IntOps {
    private IntOps() {}

    /**
     * Numpy/ONNX multidirectional broadcasting of one dimension: equal sizes stay, a 1 takes the other size (so 1
     * against 0 gives 0), anything else (0 against 3, say) does not broadcast and gives -1.
     */
    public static long broadcastDim(long x, long y) {
        if (x == y || y == 1) {
            return x;
        }
        return x == 1 ? y : -1;
    }

    /** The broadcast shape of two static shapes (aligned at the last axis), or null when they do not broadcast. */
    public static long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            long y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            out[i] = broadcastDim(x, y);
            if (out[i] < 0) {
                return null;
            }
        }
        return out;
    }

    /**
     * For each element of a broadcast result of shape {@code outDims} (row-major), the flat index of the element of
     * an operand of shape {@code dims} that it reads.
     */
    public static long[] broadcastIndex(long[] dims, long[] outDims) {
        int r = outDims.length;
        long n = 1;
        for (long d : outDims) {
            n *= d;
        }
        long[] strides = new long[r];
        long s = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            strides[d + r - dims.length] = dims[d] == 1 ? 0 : s;
            s *= dims[d];
        }
        long[] idx = new long[(int) n];
        for (int o = 0; o < idx.length; o++) {
            long rem = o;
            long off = 0;
            for (int d = r - 1; d >= 0; d--) {
                off += (rem % outDims[d]) * strides[d];
                rem /= outDims[d];
            }
            idx[o] = off;
        }
        return idx;
    }

    /**
     * Integer Add, Sub, Mul or Div of two elements; empty for a division by zero (undefined in ONNX) or another op.
     * Div truncates toward zero, as C++ and ONNX Runtime do for integers (-7 / 2 = -3, not numpy's -4).
     */
    public static OptionalLong arithmetic(String op, long x, long y) {
        return switch (op) {
            case "Add" -> OptionalLong.of(x + y);
            case "Sub" -> OptionalLong.of(x - y);
            case "Mul" -> OptionalLong.of(x * y);
            case "Div" -> y == 0 ? OptionalLong.empty() : OptionalLong.of(x / y);
            default -> OptionalLong.empty();
        };
    }

    /** An axis counted from the back when negative, or -1 when outside {@code [-rank, rank)}. */
    public static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return a < 0 || a >= rank ? -1 : (int) a;
    }

    /** A Gather index into an axis of {@code n} elements (negative counts from the back), or -1 when out of range. */
    public static long gatherIndex(long i, long n) {
        long j = i < 0 ? i + n : i;
        return j < 0 || j >= n ? -1 : j;
    }

    /** Shape's [start, end) window over {@code rank} dimensions (opset 15): negative counts from the back, clamped. */
    public static int[] shapeWindow(long start, long end, int rank) {
        start = clamp(start < 0 ? start + rank : start, 0, rank);
        end = clamp(end < 0 ? end + rank : end, 0, rank);
        return new int[] {(int) start, (int) Math.max(start, end)};
    }

    /**
     * One axis of a Slice over {@code n} elements, {@code step != 0}: {first index, element count}. Negative starts
     * and ends count from the back; then, as the ONNX specification says, for a positive step both clamp into
     * {@code [0, n]}, for a negative step the start into {@code [0, n-1]} and the end into {@code [-1, n-1]}.
     */
    public static long[] sliceAxis(long start, long end, long step, long n) {
        if (n == 0) {
            return new long[] {0, 0};
        }
        long b = start < 0 ? start + n : start;
        long e = end < 0 ? end + n : end;
        long count;
        if (step > 0) {
            b = clamp(b, 0, n);
            e = clamp(e, 0, n);
            count = (e - b + step - 1) / step;
        } else {
            b = clamp(b, 0, n - 1);
            e = clamp(e, -1, n - 1);
            count = (b - e - step - 1) / -step;
        }
        return new long[] {b, Math.max(0, count)};
    }

    /** Per-dimension first index, step and output size of a Slice over a tensor of shape {@code dims}. */
    public record SliceWindow(long[] starts, long[] steps, long[] outDims) {
        /**
         * The window of Slice's starts, ends, axes (null: 0, 1, ...) and steps (null: all 1); null when the
         * parameters are invalid (lengths differ, an axis out of range or repeated, a zero step).
         */
        public static SliceWindow of(long[] dims, long[] starts, long[] ends, long[] axes, long[] steps) {
            if (starts == null || ends == null || starts.length != ends.length
                    || (axes != null && axes.length != starts.length)
                    || (steps != null && steps.length != starts.length)) {
                return null;
            }
            int rank = dims.length;
            long[] first = new long[rank];
            long[] step = new long[rank];
            long[] out = dims.clone();
            Arrays.fill(step, 1);
            boolean[] seen = new boolean[rank];
            for (int i = 0; i < starts.length; i++) {
                int ax = axis(axes == null ? i : axes[i], rank);
                long st = steps == null ? 1 : steps[i];
                if (ax < 0 || seen[ax] || st == 0) {
                    return null;
                }
                seen[ax] = true;
                long[] fc = sliceAxis(starts[i], ends[i], st, dims[ax]);
                first[ax] = fc[0];
                step[ax] = st;
                out[ax] = fc[1];
            }
            return new SliceWindow(first, step, out);
        }
    }

    /** Concat's output shape: the inputs' sizes summed on {@code axis}, equal elsewhere; null when invalid. */
    public static long[] concatDims(List<long[]> inputs, long axis) {
        if (inputs.isEmpty()) {
            return null;
        }
        int rank = inputs.get(0).length;
        int ax = axis(axis, rank);
        if (ax < 0) {
            return null;
        }
        long[] out = inputs.get(0).clone();
        out[ax] = 0;
        for (long[] d : inputs) {
            if (d.length != rank) {
                return null;
            }
            for (int i = 0; i < rank; i++) {
                if (i != ax && d[i] != out[i]) {
                    return null;
                }
            }
            out[ax] += d[ax];
        }
        return out;
    }

    /**
     * Reshape's output shape for input shape {@code in} and shape input {@code target}: a 0 copies the input's size
     * at that position (unless {@code allowZero}), one -1 takes what is left. Null when the target is invalid (two
     * -1s, another negative entry, a 0 past the input's rank) or the element counts cannot match.
     */
    public static long[] reshapeTarget(long[] in, long[] target, boolean allowZero) {
        long[] t = target.clone();
        long known = 1;
        int inferred = -1;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    return null;
                }
                t[i] = in[i];
            }
            if (t[i] == -1) {
                if (inferred >= 0) {
                    return null;
                }
                inferred = i;
            } else if (t[i] < 0) {
                return null;
            } else {
                known *= t[i];
            }
        }
        long numel = 1;
        for (long d : in) {
            numel *= d;
        }
        if (inferred >= 0) {
            if (known == 0 || numel % known != 0) {
                return null;
            }
            t[inferred] = numel / known;
        } else if (known != numel) {
            return null;
        }
        return t;
    }

    /** Range's element count, max(ceil((limit - start) / delta), 0), for integers; -1 when delta is 0. */
    public static long rangeCount(long start, long limit, long delta) {
        if (delta == 0) {
            return -1;
        }
        return Math.max(0, Math.floorDiv(limit - start + delta + (delta > 0 ? -1 : 1), delta));
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}

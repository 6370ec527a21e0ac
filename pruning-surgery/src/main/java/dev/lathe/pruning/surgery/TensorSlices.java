package dev.lathe.pruning.surgery;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Taking or zeroing indices of one axis of a tensor, for any fixed-width element type. */
public final class TensorSlices {
    private TensorSlices() {}

    /** A new tensor holding only {@code keep} (ascending) along {@code axis}. */
    public static Tensor take(Tensor t, int axis, int[] keep) {
        int[][] keepByAxis = new int[t.rank()][];
        keepByAxis[axis] = keep;
        return take(t, keepByAxis);
    }

    /**
     * A new tensor holding only {@code keepByAxis[a]} (ascending) along each axis {@code a} whose entry is not null,
     * in one gather: a weight cut on its output and input axes is copied once, and the bytes behind the last cut axis
     * move as contiguous runs (consecutive kept indices merge into one copy).
     */
    public static Tensor take(Tensor t, int[][] keepByAxis) {
        long[] dims = t.dims();
        if (keepByAxis.length != dims.length) {
            throw new IllegalArgumentException("keep lists for " + keepByAxis.length + " axes of rank-" + dims.length
                    + " tensor " + t);
        }
        int last = -1;
        long[] outDims = dims.clone();
        for (int a = 0; a < dims.length; a++) {
            if (keepByAxis[a] != null) {
                last = a;
                outDims[a] = keepByAxis[a].length;
            }
        }
        if (last < 0) {
            return t;
        }
        int elem = elementBytes(t);
        long innerLong = elem;
        for (int a = last + 1; a < dims.length; a++) {
            innerLong *= dims[a];
        }
        long outBytes = elem * Tensor.numel(outDims);
        if (outBytes > Integer.MAX_VALUE || t.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + t + " is too large to slice (over 2 GiB)");
        }
        int inner = (int) innerLong;
        if (outBytes == 0) {
            return Tensor.of(t.dtype(), outDims, ByteBuffer.allocate(0));
        }
        // Runs of consecutive kept indices on the last cut axis: {start, length} pairs.
        int[] lastKeep = keepByAxis[last];
        int[] runs = new int[2 * lastKeep.length];
        int runCount = 0;
        for (int i = 0; i < lastKeep.length; i++) {
            if (runCount > 0 && runs[2 * runCount - 2] + runs[2 * runCount - 1] == lastKeep[i]) {
                runs[2 * runCount - 1]++;
            } else {
                runs[2 * runCount] = lastKeep[i];
                runs[2 * runCount + 1] = 1;
                runCount++;
            }
        }
        // Byte strides of the source; rows are the index combinations of axes 0..last-1.
        long[] stride = new long[dims.length];
        long st = elem;
        for (int a = dims.length - 1; a >= 0; a--) {
            stride[a] = st;
            st *= dims[a];
        }
        int rowBytes = (int) (dims[last] * inner);
        ByteBuffer src = t.data();
        byte[] row = new byte[rowBytes];
        byte[] out = new byte[(int) outBytes];
        int pos = 0;
        int[] counter = new int[last]; // position in each axis' kept list (or full range) before the last cut axis
        while (true) {
            long offset = 0;
            for (int a = 0; a < last; a++) {
                offset += stride[a] * (keepByAxis[a] == null ? counter[a] : keepByAxis[a][counter[a]]);
            }
            src.get((int) offset, row, 0, rowBytes);
            for (int r = 0; r < runCount; r++) {
                int len = runs[2 * r + 1] * inner;
                System.arraycopy(row, runs[2 * r] * inner, out, pos, len);
                pos += len;
            }
            int a = last - 1;
            while (a >= 0) {
                counter[a]++;
                if (counter[a] < outDims[a]) {
                    break;
                }
                counter[a] = 0;
                a--;
            }
            if (a < 0) {
                break;
            }
        }
        return Tensor.of(t.dtype(), outDims, ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** A copy of the tensor with the indices marked in {@code zero} set to 0 along {@code axis}. */
    public static Tensor zero(Tensor t, int axis, boolean[] zero) {
        long[] dims = t.dims();
        AxisLayout l = AxisLayout.of(t, axis);
        long outer = l.outer();
        long inner = l.innerBytes();
        long n = dims[axis];
        ByteBuffer dst = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        dst.put(t.data());
        byte[] zeros = new byte[(int) inner];
        for (long o = 0; o < outer; o++) {
            for (int k = 0; k < n; k++) {
                if (zero[k]) {
                    dst.position((int) ((o * n + k) * inner));
                    dst.put(zeros);
                }
            }
        }
        dst.position(0);
        return Tensor.of(t.dtype(), dims, dst);
    }

    /** A tensor seen as [outer, dims[axis], inner]: rows before the axis, and bytes per index after it. */
    private record AxisLayout(long outer, long innerBytes) {
        static AxisLayout of(Tensor t, int axis) {
            long[] dims = t.dims();
            long outer = 1;
            for (int i = 0; i < axis; i++) {
                outer *= dims[i];
            }
            long inner = elementBytes(t);
            for (int i = axis + 1; i < dims.length; i++) {
                inner *= dims[i];
            }
            return new AxisLayout(outer, inner);
        }
    }

    private static int elementBytes(Tensor t) {
        DataType d = t.dtype();
        if (d == DataType.STRING || d.bits() % 8 != 0) {
            throw new IllegalArgumentException("cannot slice " + d + " tensor " + t + ": packed or string elements");
        }
        return d.bits() / 8;
    }
}

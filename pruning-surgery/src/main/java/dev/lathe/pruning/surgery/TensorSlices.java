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
        long[] dims = t.dims();
        AxisLayout l = AxisLayout.of(t, axis);
        long outer = l.outer();
        long inner = l.innerBytes();
        long n = dims[axis];
        long[] outDims = dims.clone();
        outDims[axis] = keep.length;
        ByteBuffer src = t.data();
        ByteBuffer dst = ByteBuffer.allocate((int) (outer * keep.length * inner)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] chunk = new byte[(int) inner];
        for (long o = 0; o < outer; o++) {
            for (int k : keep) {
                src.position((int) ((o * n + k) * inner));
                src.get(chunk);
                dst.put(chunk);
            }
        }
        dst.flip();
        return Tensor.of(t.dtype(), outDims, dst);
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

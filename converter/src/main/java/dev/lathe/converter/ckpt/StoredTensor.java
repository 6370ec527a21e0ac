package dev.lathe.converter.ckpt;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as a checkpoint stores it: a view (offset, sizes, strides, all in elements) of a {@link Storage}. The view
 * was checked against the storage's length when it was read; {@link #toTensor()} yields the packed row-major tensor,
 * aliasing the storage when the view is already contiguous and gathering the elements when it is not.
 */
public final class StoredTensor {
    /** Views up to this many bytes are gathered into heap buffers; larger ones into direct buffers. */
    private static final int HEAP_GATHER_LIMIT = 1 << 20;

    private final Storage storage;
    private final long offset;
    private final long[] shape;
    private final long[] stride;
    private final boolean parameter;

    StoredTensor(Storage storage, long offset, long[] shape, long[] stride, boolean parameter) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.stride = stride.clone();
        this.parameter = parameter;
    }

    /**
     * Checks a view against its storage and builds it. {@code what} names the tensor in error messages.
     */
    static StoredTensor view(Storage storage, long offset, long[] shape, long[] stride, String what)
            throws CheckpointFormatException {
        if (shape.length != stride.length) {
            throw new CheckpointFormatException(what + ": size " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        if (offset < 0) {
            throw new CheckpointFormatException(what + ": negative storage offset " + offset);
        }
        long numel = 1;
        long last = offset;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0 || stride[i] < 0) {
                    throw new CheckpointFormatException(what + ": negative size or stride in size "
                            + Arrays.toString(shape) + " stride " + Arrays.toString(stride));
                }
                numel = Math.multiplyExact(numel, shape[i]);
                if (shape[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(what + ": size " + Arrays.toString(shape) + " overflows");
        }
        if (numel > 0 && last >= storage.numel()) {
            throw new CheckpointFormatException(what + ": view of size " + Arrays.toString(shape) + " stride "
                    + Arrays.toString(stride) + " at offset " + offset + " reaches element " + last + " but storage "
                    + storage.key() + " holds " + storage.numel() + " elements");
        }
        if (storage.dtype().byteSize(numel) > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(what + ": tensor of " + numel + " elements exceeds 2 GiB, which one "
                    + "ONNX tensor buffer cannot hold");
        }
        return new StoredTensor(storage, offset, shape, stride, false);
    }

    /** The same view, marked as an nn.Parameter. */
    StoredTensor asParameter() {
        return new StoredTensor(storage, offset, shape, stride, true);
    }

    /** A whole storage as a packed tensor (safetensors entries). */
    static StoredTensor packed(Storage storage, long[] shape) {
        return new StoredTensor(storage, 0, shape, rowMajorStrides(shape), false);
    }

    public DataType dtype() {
        return storage.dtype();
    }

    public long[] shape() {
        return shape.clone();
    }

    public long[] stride() {
        return stride.clone();
    }

    public long storageOffset() {
        return offset;
    }

    public Storage storage() {
        return storage;
    }

    /** Whether the file wrapped it as {@code torch.nn.Parameter}. */
    public boolean isParameter() {
        return parameter;
    }

    public long numel() {
        return Tensor.numel(shape);
    }

    public long byteSize() {
        return dtype().byteSize(numel());
    }

    /** Whether the view reads its elements in row-major order without gaps (sizes of 1 ignore their stride). */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 0) {
                return true;
            }
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** The packed row-major tensor: a slice of the storage when contiguous, else a gathered copy. */
    public Tensor toTensor() {
        DataType dtype = dtype();
        int esize = (int) dtype.byteSize(1);
        long numel = numel();
        int bytes = (int) dtype.byteSize(numel);
        if (numel == 0) {
            return Tensor.of(dtype, shape, ByteBuffer.allocate(0));
        }
        ByteBuffer src = storage.bytes();
        if (isContiguous()) {
            int start = (int) (offset * esize);
            return Tensor.of(dtype, shape, src.position(start).limit(start + bytes).slice());
        }
        ByteBuffer out = bytes <= HEAP_GATHER_LIMIT ? ByteBuffer.allocate(bytes) : ByteBuffer.allocateDirect(bytes);
        out.order(ByteOrder.LITTLE_ENDIAN);
        gather(src, out, esize);
        out.flip();
        return Tensor.of(dtype, shape, out);
    }

    /**
     * Copies the view element by element in row-major order; when the innermost stride is 1 each innermost row is
     * one bulk copy.
     */
    private void gather(ByteBuffer src, ByteBuffer out, int esize) {
        int rank = shape.length;
        long[] index = new long[rank];
        boolean innerRun = rank > 0 && stride[rank - 1] == 1;
        int innerBytes = innerRun ? (int) (shape[rank - 1] * esize) : esize;
        int outer = innerRun ? rank - 1 : rank;
        ByteBuffer slice = src.duplicate();
        while (true) {
            long element = offset;
            for (int i = 0; i < outer; i++) {
                element += index[i] * stride[i];
            }
            int from = (int) (element * esize);
            slice.limit(from + innerBytes).position(from);
            out.put(slice);
            int d = outer - 1;
            while (d >= 0) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    static long[] rowMajorStrides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    @Override
    public String toString() {
        return dtype() + Arrays.toString(shape);
    }
}

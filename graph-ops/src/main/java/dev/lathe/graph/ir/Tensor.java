package dev.lathe.graph.ir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable constant tensor: element type, static dimensions and little-endian packed data. The data buffer may
 * be heap, direct or a memory-mapped slice of an external-data file; it is shared, never copied per pass.
 * STRING tensors keep their elements as a list of byte strings instead.
 */
public final class Tensor {
    private final DataType dtype;
    private final long[] dims;
    private final ByteBuffer data;
    private final List<byte[]> strings;

    private Tensor(DataType dtype, long[] dims, ByteBuffer data, List<byte[]> strings) {
        this.dtype = dtype;
        this.dims = dims.clone();
        this.data = data;
        this.strings = strings;
    }

    /** Wraps packed little-endian bytes without copying them. */
    public static Tensor of(DataType dtype, long[] dims, ByteBuffer data) {
        if (dtype == DataType.STRING) {
            throw new IllegalArgumentException("STRING tensors are built with ofStrings");
        }
        long n = numel(dims);
        long need = dtype.byteSize(n);
        if (data.remaining() != need) {
            throw new IllegalArgumentException("tensor of " + dtype + Arrays.toString(dims) + " needs " + need
                    + " bytes, got " + data.remaining());
        }
        return new Tensor(dtype, dims, data.slice().order(ByteOrder.LITTLE_ENDIAN), null);
    }

    public static Tensor ofStrings(long[] dims, List<byte[]> values) {
        if (values.size() != numel(dims)) {
            throw new IllegalArgumentException("string tensor " + Arrays.toString(dims) + " needs " + numel(dims)
                    + " elements, got " + values.size());
        }
        return new Tensor(DataType.STRING, dims, null, List.copyOf(values));
    }

    public static Tensor ofFloats(long[] dims, float... values) {
        ByteBuffer b = allocate(4L * values.length);
        b.asFloatBuffer().put(values);
        return of(DataType.FLOAT, dims, b);
    }

    public static Tensor ofDoubles(long[] dims, double... values) {
        ByteBuffer b = allocate(8L * values.length);
        b.asDoubleBuffer().put(values);
        return of(DataType.DOUBLE, dims, b);
    }

    public static Tensor ofLongs(long[] dims, long... values) {
        ByteBuffer b = allocate(8L * values.length);
        b.asLongBuffer().put(values);
        return of(DataType.INT64, dims, b);
    }

    public static Tensor ofInts(long[] dims, int... values) {
        ByteBuffer b = allocate(4L * values.length);
        b.asIntBuffer().put(values);
        return of(DataType.INT32, dims, b);
    }

    /** A 1-D INT64 tensor, the form ONNX uses for shapes, axes, pads and slice bounds. */
    public static Tensor vector(long... values) {
        return ofLongs(new long[] {values.length}, values);
    }

    public static Tensor scalar(float value) {
        return ofFloats(new long[0], value);
    }

    /** A zero-filled tensor of any fixed-width type. */
    public static Tensor zeros(DataType dtype, long... dims) {
        return of(dtype, dims, allocate(dtype.byteSize(numel(dims))));
    }

    /** A tensor of {@code dims} filled with {@code value}, in FLOAT or DOUBLE. */
    public static Tensor filled(DataType dtype, double value, long... dims) {
        double[] d = new double[(int) numel(dims)];
        Arrays.fill(d, value);
        return fromDoubles(dtype, dims, d);
    }

    /** Values given as doubles, stored as {@code dtype} (DOUBLE, FLOAT, or FLOAT16 rounded to nearest even). */
    public static Tensor fromDoubles(DataType dtype, long[] dims, double[] values) {
        ByteBuffer b = allocate(dtype.byteSize(values.length));
        for (double x : values) {
            switch (dtype) {
                case DOUBLE -> b.putDouble(x);
                case FLOAT -> b.putFloat((float) x);
                case FLOAT16 -> b.putShort(Half.fromFloat((float) x));
                default -> throw new IllegalArgumentException("floating constants are FLOAT, DOUBLE or FLOAT16, not "
                        + dtype);
            }
        }
        return of(dtype, dims, b.flip());
    }

    /** Integer values stored as {@code dtype} (INT64, INT32, INT16, INT8, UINT8, BOOL; narrowing wraps). */
    public static Tensor fromLongs(DataType dtype, long[] dims, long[] values) {
        ByteBuffer b = allocate(dtype.byteSize(values.length));
        for (long x : values) {
            switch (dtype) {
                case INT64 -> b.putLong(x);
                case INT32 -> b.putInt((int) x);
                case INT16 -> b.putShort((short) x);
                case INT8, UINT8, BOOL -> b.put((byte) x);
                default -> throw new IllegalArgumentException("no integer packing for " + dtype);
            }
        }
        return of(dtype, dims, b.flip());
    }

    private static ByteBuffer allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes exceeds one buffer");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static long numel(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            n *= d;
        }
        return n;
    }

    public DataType dtype() {
        return dtype;
    }

    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int i) {
        return dims[i < 0 ? i + dims.length : i];
    }

    public long numel() {
        return numel(dims);
    }

    public long byteSize() {
        return dtype == DataType.STRING ? strings.stream().mapToLong(s -> s.length).sum() : data.remaining();
    }

    public TensorType type() {
        return TensorType.of(dtype, dims);
    }

    /** A read-only little-endian view of the packed bytes, positioned at 0. */
    public ByteBuffer data() {
        if (data == null) {
            throw new IllegalStateException("STRING tensor has no packed data");
        }
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public List<byte[]> strings() {
        if (strings == null) {
            throw new IllegalStateException(dtype + " tensor has no string elements");
        }
        return strings;
    }

    public FloatBuffer floatView() {
        requireType(DataType.FLOAT);
        return data().asFloatBuffer();
    }

    public float[] toFloats() {
        float[] out = new float[(int) numel()];
        switch (dtype) {
            case FLOAT -> data().asFloatBuffer().get(out);
            case DOUBLE -> {
                DoubleBuffer d = data().asDoubleBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) d.get(i);
                }
            }
            case FLOAT16 -> {
                ByteBuffer b = data();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Half.toFloat(b.getShort(2 * i));
                }
            }
            case BFLOAT16 -> {
                ByteBuffer b = data();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            default -> {
                long[] l = toLongs();
                for (int i = 0; i < out.length; i++) {
                    out[i] = l[i];
                }
            }
        }
        return out;
    }

    public double[] toDoubles() {
        if (dtype == DataType.DOUBLE) {
            double[] out = new double[(int) numel()];
            data().asDoubleBuffer().get(out);
            return out;
        }
        float[] f = toFloats();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** Elements widened to long; integer and bool types only. */
    public long[] toLongs() {
        int n = (int) numel();
        long[] out = new long[n];
        ByteBuffer b = data();
        switch (dtype) {
            case INT64, UINT64 -> {
                LongBuffer l = b.asLongBuffer();
                l.get(out);
            }
            case INT32 -> {
                IntBuffer ib = b.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = ib.get(i);
                }
            }
            case UINT32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i) & 0xffffffffL;
                }
            }
            case INT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i);
                }
            }
            case UINT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i) & 0xffff;
                }
            }
            case INT8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
            }
            case UINT8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) & 0xff;
                }
            }
            case FLOAT, DOUBLE, FLOAT16, BFLOAT16 -> {
                float[] f = toFloats();
                for (int i = 0; i < n; i++) {
                    out[i] = (long) f[i];
                }
            }
            default -> throw new IllegalStateException("cannot read " + dtype + " elements as integers");
        }
        return out;
    }

    private void requireType(DataType t) {
        if (dtype != t) {
            throw new IllegalStateException("expected a " + t + " tensor, got " + dtype);
        }
    }

    /** Bitwise equality of type, dims and data. */
    public boolean contentEquals(Tensor o) {
        if (dtype != o.dtype || !Arrays.equals(dims, o.dims)) {
            return false;
        }
        if (dtype == DataType.STRING) {
            if (strings.size() != o.strings.size()) {
                return false;
            }
            for (int i = 0; i < strings.size(); i++) {
                if (!Arrays.equals(strings.get(i), o.strings.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return data().equals(o.data());
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype + Arrays.toString(dims) + ")";
    }
}

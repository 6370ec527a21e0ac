package dev.lathe.runtime;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * A dense tensor in host memory: element type, static shape, and a direct native-order buffer that a runtime can
 * hand to native code without copying (ONNX Runtime wraps it in place; a TensorRT runtime copies it to the device
 * from there). The shape is fixed; the contents are mutable, so one input tensor can be refilled between runs.
 *
 * <p>A tensor that came from {@link Outputs} is released when its {@code Outputs} is closed, because the runtime
 * may write the next run's results into the same memory; after that every accessor throws. Use {@link #copy()}
 * to keep a result.
 */
public final class HostTensor {
    /** Element types every runtime must accept; anything else is refused when the tensor is made. */
    public static final Set<DataType> SUPPORTED = EnumSet.of(DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE,
            DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64, DataType.BOOL);

    private final DataType dtype;
    private final long[] shape;
    private final ByteBuffer data;
    private volatile String releasedBy;

    private HostTensor(DataType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** A zero-filled tensor. */
    public static HostTensor allocate(DataType dtype, long... shape) {
        checkType(dtype);
        long bytes = byteSize(dtype, shape);
        if (bytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("tensor " + dtype + Arrays.toString(shape) + " needs " + bytes
                    + " bytes; one host tensor is limited to 2 GB (a Java direct buffer)");
        }
        return new HostTensor(dtype, shape.clone(),
                ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()));
    }

    /**
     * Wraps a direct native-order buffer without copying; its remaining bytes must be exactly the tensor's size.
     * Later writes to the buffer are seen by the tensor.
     */
    public static HostTensor wrap(DataType dtype, long[] shape, ByteBuffer data) {
        checkType(dtype);
        if (!data.isDirect()) {
            throw new IllegalArgumentException("HostTensor.wrap needs a direct ByteBuffer (ByteBuffer.allocateDirect),"
                    + " so native code can read it in place; got a heap buffer");
        }
        if (data.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("HostTensor.wrap needs a native-order buffer ("
                    + ByteOrder.nativeOrder() + "), got " + data.order());
        }
        long bytes = byteSize(dtype, shape);
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("tensor " + dtype + Arrays.toString(shape) + " needs " + bytes
                    + " bytes, buffer has " + data.remaining());
        }
        return new HostTensor(dtype, shape.clone(), data.slice().order(ByteOrder.nativeOrder()));
    }

    public static HostTensor ofFloats(long[] shape, float... values) {
        HostTensor t = allocate(DataType.FLOAT, shape);
        checkCount(t, values.length);
        t.data.asFloatBuffer().put(values);
        return t;
    }

    public static HostTensor ofDoubles(long[] shape, double... values) {
        HostTensor t = allocate(DataType.DOUBLE, shape);
        checkCount(t, values.length);
        t.data.asDoubleBuffer().put(values);
        return t;
    }

    /** float16 from float values, rounded to nearest even. */
    public static HostTensor ofHalfs(long[] shape, float... values) {
        HostTensor t = allocate(DataType.FLOAT16, shape);
        checkCount(t, values.length);
        for (int i = 0; i < values.length; i++) {
            t.data.putShort(2 * i, Half.fromFloat(values[i]));
        }
        return t;
    }

    public static HostTensor ofLongs(long[] shape, long... values) {
        HostTensor t = allocate(DataType.INT64, shape);
        checkCount(t, values.length);
        t.data.asLongBuffer().put(values);
        return t;
    }

    public static HostTensor ofInts(long[] shape, int... values) {
        HostTensor t = allocate(DataType.INT32, shape);
        checkCount(t, values.length);
        t.data.asIntBuffer().put(values);
        return t;
    }

    /** INT8, UINT8 or BOOL (0 or 1) from raw bytes. */
    public static HostTensor ofBytes(DataType dtype, long[] shape, byte... values) {
        if (dtype != DataType.INT8 && dtype != DataType.UINT8 && dtype != DataType.BOOL) {
            throw new IllegalArgumentException("ofBytes makes INT8, UINT8 or BOOL tensors, not " + dtype);
        }
        HostTensor t = allocate(dtype, shape);
        checkCount(t, values.length);
        t.data.put(0, values, 0, values.length);
        return t;
    }

    public static HostTensor ofBooleans(long[] shape, boolean... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (values[i] ? 1 : 0);
        }
        return ofBytes(DataType.BOOL, shape, b);
    }

    public DataType dtype() {
        checkLive();
        return dtype;
    }

    public long[] shape() {
        checkLive();
        return shape.clone();
    }

    public int rank() {
        return shape().length;
    }

    public long numel() {
        return numel(shape());
    }

    public long byteSize() {
        return byteSize(dtype(), shape);
    }

    /** The backing memory: a direct native-order view from position 0 to the tensor's byte size. */
    public ByteBuffer data() {
        checkLive();
        return data.duplicate().order(ByteOrder.nativeOrder()).clear();
    }

    /** Elements as float (float16 widened, integers converted), for checking and printing. */
    public float[] toFloats() {
        ByteBuffer b = data();
        int n = (int) numel();
        float[] out = new float[n];
        if (dtype == DataType.FLOAT) { // one bulk copy: calibration reads every activation this way
            b.duplicate().order(b.order()).position(0).asFloatBuffer().get(out);
            return out;
        }
        for (int i = 0; i < n; i++) {
            if (dtype == DataType.FLOAT) {
                out[i] = b.getFloat(4 * i);
            } else if (dtype == DataType.FLOAT16) {
                out[i] = Half.toFloat(b.getShort(2 * i));
            } else if (dtype == DataType.DOUBLE) {
                out[i] = (float) b.getDouble(8 * i);
            } else if (dtype == DataType.INT64) {
                out[i] = b.getLong(8 * i);
            } else if (dtype == DataType.INT32) {
                out[i] = b.getInt(4 * i);
            } else if (dtype == DataType.UINT8) {
                out[i] = b.get(i) & 0xff;
            } else {
                out[i] = b.get(i);
            }
        }
        return out;
    }

    public long[] toLongs() {
        ByteBuffer b = data();
        int n = (int) numel();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            if (dtype == DataType.INT64) {
                out[i] = b.getLong(8 * i);
            } else if (dtype == DataType.INT32) {
                out[i] = b.getInt(4 * i);
            } else if (dtype == DataType.UINT8) {
                out[i] = b.get(i) & 0xff;
            } else if (dtype == DataType.INT8 || dtype == DataType.BOOL) {
                out[i] = b.get(i);
            } else {
                throw new IllegalStateException("toLongs on a " + dtype + " tensor; use toFloats");
            }
        }
        return out;
    }

    /** An independent copy in fresh memory; stays valid when this tensor is released. */
    public HostTensor copy() {
        HostTensor c = allocate(dtype(), shape);
        c.data.put(data());
        c.data.clear();
        return c;
    }

    /** Same type, shape and bytes. */
    public boolean contentEquals(HostTensor o) {
        return dtype() == o.dtype() && Arrays.equals(shape, o.shape()) && data().equals(o.data());
    }

    /**
     * Invalidates this tensor; called by the {@link Outputs} that owns it. Package-private on purpose: only the
     * owner of recycled memory may release it.
     */
    void release(String owner) {
        releasedBy = owner;
    }

    private void checkLive() {
        String by = releasedBy;
        if (by != null) {
            throw new IllegalStateException("tensor was released when " + by + " was closed; copy() it to keep it");
        }
    }

    @Override
    public String toString() {
        return (releasedBy != null ? "released " : "") + "HostTensor(" + dtype + Arrays.toString(shape) + ")";
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public static long byteSize(DataType dtype, long[] shape) {
        return dtype.byteSize(numel(shape));
    }

    private static void checkType(DataType dtype) {
        if (!SUPPORTED.contains(dtype)) {
            throw new IllegalArgumentException("host tensors hold " + SUPPORTED + ", not " + dtype);
        }
    }

    private static void checkCount(HostTensor t, int given) {
        if (t.numel() != given) {
            throw new IllegalArgumentException("shape " + Arrays.toString(t.shape) + " holds " + t.numel()
                    + " elements, got " + given + " values");
        }
    }
}

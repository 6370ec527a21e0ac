package dev.lathe.converter.bind;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Half;
import dev.lathe.graph.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * Converts a checkpoint tensor to the dtype of the initializer it binds to: between floating-point types (rounding to
 * nearest even, as torch's {@code .to()} does) and between integer types (refusing values that do not fit).
 */
final class DtypeConversion {
    private static final Set<DataType> FLOATS = Set.of(DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16,
            DataType.BFLOAT16);
    private static final Set<DataType> INTEGERS = Set.of(DataType.INT64, DataType.INT32, DataType.INT16,
            DataType.INT8, DataType.UINT8);

    private DtypeConversion() {}

    static boolean possible(DataType from, DataType to) {
        return from == to || (FLOATS.contains(from) && FLOATS.contains(to))
                || (INTEGERS.contains(from) && INTEGERS.contains(to));
    }

    /** The tensor as {@code to}; throws IllegalArgumentException naming {@code key} when an integer does not fit. */
    static Tensor convert(String key, Tensor t, DataType to) {
        if (t.dtype() == to) {
            return t;
        }
        int n = (int) t.numel();
        ByteBuffer out = ByteBuffer.allocate((int) to.byteSize(n)).order(ByteOrder.LITTLE_ENDIAN);
        if (FLOATS.contains(to)) {
            if (to == DataType.DOUBLE) {
                for (double v : t.toDoubles()) {
                    out.putDouble(v);
                }
            } else {
                // widening from float16/bfloat16 is exact; narrowing from double goes through float (torch does too)
                float[] values = t.dtype() == DataType.DOUBLE ? narrow(t.toDoubles()) : t.toFloats();
                for (float v : values) {
                    if (to == DataType.FLOAT) {
                        out.putFloat(v);
                    } else if (to == DataType.FLOAT16) {
                        out.putShort(Half.fromFloat(v));
                    } else {
                        out.putShort(toBfloat16(v));
                    }
                }
            }
        } else {
            long min = to == DataType.UINT8 ? 0 : -(1L << (to.bits() - 1));
            long max = to == DataType.UINT8 ? 255 : (to == DataType.INT64 ? Long.MAX_VALUE : (1L << (to.bits() - 1)) - 1);
            for (long v : t.toLongs()) {
                if (v < min || v > max) {
                    throw new IllegalArgumentException("checkpoint key " + key + " holds " + v + ", outside " + to);
                }
                switch (to) {
                    case INT64 -> out.putLong(v);
                    case INT32 -> out.putInt((int) v);
                    case INT16 -> out.putShort((short) v);
                    default -> out.put((byte) v);
                }
            }
        }
        return Tensor.of(to, t.dims(), out.flip());
    }

    private static float[] narrow(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** float32 to bfloat16, round to nearest even; NaN stays a quiet NaN. */
    static short toBfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}

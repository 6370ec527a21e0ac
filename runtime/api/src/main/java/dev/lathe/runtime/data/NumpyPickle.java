package dev.lathe.runtime.data;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Teaches the razorvine unpickler the two numpy globals a pickled {@code ndarray} uses:
 * {@code numpy.core.multiarray._reconstruct} (an empty array whose BUILD state carries shape, dtype and raw bytes)
 * and {@code numpy.dtype}. Only C-ordered numeric arrays are supported, which is what dataset releases contain.
 */
final class NumpyPickle {
    static {
        IObjectConstructor reconstruct = args -> new NdArray();
        Unpickler.registerConstructor("numpy.core.multiarray", "_reconstruct", reconstruct);
        Unpickler.registerConstructor("numpy._core.multiarray", "_reconstruct", reconstruct);
        Unpickler.registerConstructor("numpy", "dtype", args -> new Dtype(String.valueOf(args[0])));
    }

    private NumpyPickle() {}

    /** A new unpickler that understands numpy arrays (the registry is static; this class registers it once). */
    static Unpickler unpickler() {
        return new Unpickler();
    }

    /** Raw bytes of a py2 {@code str} (razorvine maps each byte to one char) or of a py3 {@code bytes}. */
    static byte[] rawBytes(Object o, String what) {
        if (o instanceof byte[]) {
            return (byte[]) o;
        }
        if (o instanceof String) {
            return ((String) o).getBytes(StandardCharsets.ISO_8859_1);
        }
        throw new PickleException(what + ": expected bytes, got " + (o == null ? "None" : o.getClass().getSimpleName()));
    }

    static int toInt(Object o, String what) {
        if (o instanceof Number) {
            return Math.toIntExact(((Number) o).longValue());
        }
        throw new PickleException(what + ": expected an integer, got " + (o == null ? "None" : o.getClass().getSimpleName()));
    }

    /** numpy dtype: descriptor such as {@code u1}, {@code i8}, {@code f4}; byte order from the BUILD state. */
    public static final class Dtype {
        final String descr;
        String byteOrder = "|";

        Dtype(String descr) {
            this.descr = descr;
        }

        public void __setstate__(Object[] state) {
            if (state.length > 1 && state[1] instanceof String) {
                byteOrder = (String) state[1];
            }
        }

        int itemSize() {
            return Integer.parseInt(descr.substring(1));
        }
    }

    /** numpy ndarray after BUILD: shape, dtype and the raw C-ordered bytes. */
    public static final class NdArray {
        long[] shape;
        Dtype dtype;
        byte[] data;

        public void __setstate__(Object[] state) {
            // (version, shape, dtype, is_fortran, rawdata); very old pickles omit the version.
            int o = state.length == 5 ? 1 : 0;
            Object[] dims = state[o] instanceof Object[] ? (Object[]) state[o] : ((List<?>) state[o]).toArray();
            shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = toInt(dims[i], "ndarray shape");
            }
            dtype = (Dtype) state[o + 1];
            if (Boolean.TRUE.equals(state[o + 2])) {
                throw new PickleException("Fortran-ordered numpy arrays are not supported");
            }
            data = rawBytes(state[o + 3], "ndarray data");
        }

        long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }
}

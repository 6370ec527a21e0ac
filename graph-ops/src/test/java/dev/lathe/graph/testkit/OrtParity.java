package dev.lathe.graph.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.serde.Onnx;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs models in ONNX Runtime's CPU provider on IR tensors and compares outputs with a stated tolerance: the check
 * every transform (pass, cut, import, train-step rule) is held to. How ORT runs is part of the check, so it is explicit
 * ({@link Settings}): exactness checks turn ORT's own rewrites off so they cannot stand in for the graph under test.
 */
public final class OrtParity {
    private OrtParity() {}

    /**
     * How a model is run.
     * @param threads intra-op threads; 0 lets ORT choose
     * @param optimize whether ORT may rewrite the graph (all levels) or runs it as written
     */
    public record Settings(int threads, boolean optimize) {
        /** ORT's defaults: its own thread count, every ORT rewrite. */
        public static final Settings ORT_DEFAULTS = new Settings(0, true);
        /** ORT's own thread count, no ORT rewrites: the graph exactly as serialized. */
        public static final Settings AS_WRITTEN = new Settings(0, false);
        /** One thread, no ORT rewrites: as written and reproducible bit for bit. */
        public static final Settings EXACT = new Settings(1, false);
        /** Two threads, every ORT rewrite: as a deployment runs it. */
        public static final Settings DEPLOYED = new Settings(2, true);
    }

    /**
     * Serializes {@code m} as it is now, runs it once and returns every output by name, in the model's output order.
     * @param inputs a tensor for every graph input (float, double, integer, bool or float16)
     */
    public static Map<String, Tensor> run(Model m, Map<String, Tensor> inputs, Settings settings) throws OrtException {
        return run(Onnx.toBytes(m), inputs, settings);
    }

    /** As {@link #run(Model, Map, Settings)} for a serialized model (a file's bytes, run as they are). */
    public static Map<String, Tensor> run(byte[] model, Map<String, Tensor> inputs, Settings settings)
            throws OrtException {
        try (Prepared p = prepare(model, settings)) {
            return p.run(inputs);
        }
    }

    /** A session kept open for many runs of one model (a finite-difference check runs it hundreds of times). */
    public static Prepared prepare(byte[] model, Settings settings) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            if (settings.threads() > 0) {
                o.setIntraOpNumThreads(settings.threads());
            }
            o.setOptimizationLevel(settings.optimize() ? OrtSession.SessionOptions.OptLevel.ALL_OPT
                    : OrtSession.SessionOptions.OptLevel.NO_OPT);
            return new Prepared(OrtEnvironment.getEnvironment().createSession(model, o));
        }
    }

    /** An open session; {@link #run} copies every output out, so results outlive the run. */
    public static final class Prepared implements AutoCloseable {
        private final OrtSession session;

        private Prepared(OrtSession session) {
            this.session = session;
        }

        /** Runs once; the input tensors are held (and closed) for the length of the run. */
        public Map<String, Tensor> run(Map<String, Tensor> inputs) throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            Map<String, OnnxTensor> feeds = new HashMap<>();
            try {
                for (String name : session.getInputNames()) {
                    Tensor t = inputs.get(name);
                    if (t == null) {
                        throw new IllegalArgumentException("no value for graph input " + name);
                    }
                    feeds.put(name, OnnxTensor.createTensor(env, direct(t.data()), t.dims(), javaType(t.dtype())));
                }
                Map<String, Tensor> out = new LinkedHashMap<>();
                try (OrtSession.Result r = session.run(feeds)) {
                    for (Map.Entry<String, OnnxValue> e : r) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        ByteBuffer copy = ByteBuffer.allocate((int) t.getByteBuffer().remaining())
                                .order(ByteOrder.LITTLE_ENDIAN);
                        copy.put(t.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN)).flip();
                        out.put(e.getKey(), Tensor.of(dataType(t.getInfo().type), t.getInfo().getShape(), copy));
                    }
                }
                return out;
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() throws OrtException {
            session.close();
        }
    }

    /** The float outputs of {@link #run}, as arrays, in output order. */
    public static Map<String, float[]> runFloats(Model m, Map<String, Tensor> inputs, Settings settings)
            throws OrtException {
        return floats(run(m, inputs, settings));
    }

    private static Map<String, float[]> floats(Map<String, Tensor> outputs) {
        Map<String, float[]> f = new LinkedHashMap<>();
        outputs.forEach((name, t) -> {
            if (t.dtype() == DataType.FLOAT) {
                f.put(name, t.toFloats());
            }
        });
        return f;
    }

    /** Runs the model before and after a transform on the same inputs and asserts {@link #assertClose}. */
    public static void assertSameOutputs(Model before, Model after, Map<String, Tensor> inputs, Settings settings,
            double rtol, double atol) throws OrtException {
        assertClose(run(before, inputs, settings), run(after, inputs, settings), rtol, atol);
    }

    /**
     * Same output names in the same order, same shapes, and every element within {@code atol + rtol * |expected|};
     * with both 0, bit-identical (as doubles, so -0 differs from 0 and NaN equals NaN). With a tolerance, NaN matches
     * NaN and an infinity the same infinity (numpy's {@code allclose(equal_nan=True)}).
     */
    public static void assertClose(Map<String, Tensor> expected, Map<String, Tensor> actual, double rtol, double atol) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "output names");
        for (String name : expected.keySet()) {
            Tensor e = expected.get(name);
            Tensor a = actual.get(name);
            assertArrayEquals(e.dims(), a.dims(), "shape of output " + name);
            double[] ev = values(e);
            double[] av = values(a);
            for (int i = 0; i < ev.length; i++) {
                double diff = Math.abs(ev[i] - av[i]);
                if (rtol == 0 && atol == 0) {
                    assertEquals(Double.doubleToLongBits(ev[i]), Double.doubleToLongBits(av[i]),
                            "output " + name + "[" + i + "]: " + ev[i] + " vs " + av[i]);
                } else if (!(Double.isNaN(ev[i]) && Double.isNaN(av[i])) && ev[i] != av[i]) {
                    assertTrue(diff <= atol + rtol * Math.abs(ev[i]), "output " + name + "[" + i + "]: " + ev[i]
                            + " vs " + av[i] + " (diff " + diff + ")");
                }
            }
        }
    }

    /** max|ref − got| / max|ref|: the scale-relative error of a whole output (the exact-cut bound). */
    public static double relError(float[] ref, float[] got) {
        if (ref.length != got.length) {
            throw new AssertionError("output sizes differ: " + ref.length + " vs " + got.length);
        }
        double scale = 1e-30;
        double diff = 0;
        for (int i = 0; i < ref.length; i++) {
            scale = Math.max(scale, Math.abs(ref[i]));
            diff = Math.max(diff, Math.abs(ref[i] - got[i]));
        }
        return diff / scale;
    }

    /** Seeded standard-normal floats for a tensor of {@code shape} ({@code java.util.Random#nextGaussian}). */
    public static float[] gaussian(long seed, long... shape) {
        Random r = new Random(seed);
        float[] x = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Elements as double: integers and bools through long, so large int64 values keep every bit. */
    private static double[] values(Tensor t) {
        if (t.dtype().isFloatingPoint()) {
            return t.toDoubles();
        }
        long[] l = t.toLongs();
        double[] d = new double[l.length];
        for (int i = 0; i < l.length; i++) {
            d[i] = l[i];
        }
        return d;
    }

    private static ByteBuffer direct(ByteBuffer littleEndian) {
        ByteBuffer d = ByteBuffer.allocateDirect(littleEndian.remaining()).order(ByteOrder.nativeOrder());
        d.put(littleEndian.duplicate()).flip();
        return d;
    }

    private static OnnxJavaType javaType(DataType t) {
        return switch (t) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case INT64 -> OnnxJavaType.INT64;
            case INT32 -> OnnxJavaType.INT32;
            case INT16 -> OnnxJavaType.INT16;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            default -> throw new IllegalArgumentException("the ORT test kit cannot feed " + t + " inputs");
        };
    }

    private static DataType dataType(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> DataType.FLOAT;
            case DOUBLE -> DataType.DOUBLE;
            case FLOAT16 -> DataType.FLOAT16;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT16 -> DataType.INT16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOL;
            default -> throw new IllegalArgumentException("the ORT test kit cannot read " + t + " outputs");
        };
    }
}

package dev.lathe.graph.pass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Test support: runs models in ONNX Runtime, compares outputs, builds raw nodes and counts ops. */
final class OrtHarness {
    private OrtHarness() {}

    /** One graph output: its shape and elements widened to double. */
    record Output(String name, long[] shape, double[] values) {}

    /** A float input of the given shape filled with seeded Gaussian noise. */
    static Map<String, OnnxTensor> gaussian(String name, long seed, long... shape) throws OrtException {
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random r = new Random(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        Map<String, OnnxTensor> m = new HashMap<>();
        m.put(name, OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(v), shape));
        return m;
    }

    /**
     * Serializes the model as it is now and runs it on ONNX Runtime's CPU provider with graph optimizations off, so
     * the runtime's own folding and fusions do not stand in for the graph being tested.
     */
    static List<Output> run(Model m, Map<String, OnnxTensor> inputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            return run(env, opts, m, inputs);
        }
    }

    private static List<Output> run(OrtEnvironment env, OrtSession.SessionOptions opts, Model m,
            Map<String, OnnxTensor> inputs) throws Exception {
        try (OrtSession s = env.createSession(Onnx.toBytes(m), opts);
             OrtSession.Result r = s.run(inputs)) {
            List<Output> out = new ArrayList<>();
            for (Map.Entry<String, OnnxValue> e : r) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                long[] shape = t.getInfo().getShape();
                int n = (int) t.getInfo().getNumElements();
                double[] d = new double[n];
                switch (t.getInfo().type) {
                    case FLOAT -> {
                        FloatBuffer b = t.getFloatBuffer();
                        for (int i = 0; i < n; i++) {
                            d[i] = b.get(i);
                        }
                    }
                    case DOUBLE -> {
                        DoubleBuffer b = t.getDoubleBuffer();
                        for (int i = 0; i < n; i++) {
                            d[i] = b.get(i);
                        }
                    }
                    case INT64 -> {
                        LongBuffer b = t.getLongBuffer();
                        for (int i = 0; i < n; i++) {
                            d[i] = b.get(i);
                        }
                    }
                    case INT32 -> {
                        IntBuffer b = t.getIntBuffer();
                        for (int i = 0; i < n; i++) {
                            d[i] = b.get(i);
                        }
                    }
                    case BOOL, INT8, UINT8 -> {
                        java.nio.ByteBuffer b = t.getByteBuffer();
                        for (int i = 0; i < n; i++) {
                            d[i] = b.get(i);
                        }
                    }
                    default -> throw new AssertionError("test harness cannot read output type " + t.getInfo().type);
                }
                out.add(new Output(e.getKey(), shape, d));
            }
            return out;
        }
    }

    /** Same names, shapes and bit-identical values. */
    static void assertSame(List<Output> expected, List<Output> actual) {
        assertClose(expected, actual, 0, 0);
    }

    /** Same names and shapes; every element within {@code atol + rtol * |expected|}. */
    static void assertClose(List<Output> expected, List<Output> actual, double rtol, double atol) {
        assertEquals(expected.size(), actual.size(), "number of outputs");
        for (int k = 0; k < expected.size(); k++) {
            Output e = expected.get(k);
            Output a = actual.get(k);
            assertEquals(e.name(), a.name(), "output name");
            assertArrayEquals(e.shape(), a.shape(), "shape of output " + e.name());
            for (int i = 0; i < e.values().length; i++) {
                double diff = Math.abs(e.values()[i] - a.values()[i]);
                if (rtol == 0 && atol == 0) {
                    assertEquals(Double.doubleToLongBits(e.values()[i]), Double.doubleToLongBits(a.values()[i]),
                            "output " + e.name() + "[" + i + "]: " + e.values()[i] + " vs " + a.values()[i]);
                } else {
                    assertTrue(diff <= atol + rtol * Math.abs(e.values()[i]), "output " + e.name() + "[" + i + "]: "
                            + e.values()[i] + " vs " + a.values()[i] + " (diff " + diff + ")");
                }
            }
        }
    }

    /** Op type to count, over the main graph. */
    static Map<String, Integer> histogram(Model m) {
        Map<String, Integer> h = new TreeMap<>();
        for (Node n : m.graph().nodes()) {
            h.merge(n.opType(), 1, Integer::sum);
        }
        return h;
    }

    /**
     * Appends a node without shape inference (for ops whose rules may not exist yet); the output's type is given
     * or left null.
     */
    static Value raw(Graph g, String op, List<Value> inputs, Map<String, Attr> attrs, TensorType outType) {
        Node n = node(g, op, inputs, attrs, outType);
        g.addNode(n);
        return n.output(0);
    }

    /** A node not yet added to any graph, named from the op type. */
    static Node node(Graph g, String op, List<Value> inputs, Map<String, Attr> attrs, TensorType outType) {
        String name = g.uniqueName(op);
        Node n = new Node("", op, name, inputs, List.of(new Value(g.uniqueName(name + "_out"), outType)));
        new LinkedHashMap<>(attrs).forEach(n::attr);
        return n;
    }
}

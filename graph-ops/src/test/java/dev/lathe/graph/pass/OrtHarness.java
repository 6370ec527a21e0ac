package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Test support for the pass tests: inputs and runs through the shared ORT parity kit ({@link OrtParity}, graphs run
 * as written: ORT's own rewrites off, so they cannot stand in for the pass under test), raw node builders and op
 * counts.
 */
final class OrtHarness {
    private OrtHarness() {}

    /** A float input of the given shape filled with seeded Gaussian noise (a mutable map: add more inputs to it). */
    static Map<String, Tensor> gaussian(String name, long seed, long... shape) {
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random r = new Random(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        Map<String, Tensor> m = new HashMap<>();
        m.put(name, Tensor.ofFloats(shape, v));
        return m;
    }

    /** A BOOL scalar (an If condition). */
    static Tensor bool(boolean b) {
        return Tensor.of(DataType.BOOL, new long[0], ByteBuffer.wrap(new byte[] {(byte) (b ? 1 : 0)}));
    }

    /** Serializes the model as it is now and runs it as written. */
    static Map<String, Tensor> run(Model m, Map<String, Tensor> inputs) throws Exception {
        return OrtParity.run(m, inputs, OrtParity.Settings.AS_WRITTEN);
    }

    /** Same names, shapes and bit-identical values. */
    static void assertSame(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        OrtParity.assertClose(expected, actual, 0, 0);
    }

    /** Same names and shapes; every element within {@code atol + rtol * |expected|}. */
    static void assertClose(Map<String, Tensor> expected, Map<String, Tensor> actual, double rtol, double atol) {
        OrtParity.assertClose(expected, actual, rtol, atol);
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

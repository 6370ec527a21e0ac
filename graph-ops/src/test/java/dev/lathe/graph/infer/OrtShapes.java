package dev.lathe.graph.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Inferred output types against what ONNX Runtime actually produces, shared by the rule families' tests. Each case
 * builds a small graph with the builder (which infers every node), marks the interesting values as graph outputs,
 * runs it with the symbolic batch "N" bound to {@link #BATCH}, and compares every output's element type and shape
 * dimension by dimension: fixed dims must equal, the symbol "N" must be the batch, and no dimension may be left
 * unknown.
 */
final class OrtShapes {
    static final long BATCH = 2;

    /** Builds the outputs to check from a builder and the graph input x = [N, 4, 9, 9] float. */
    static void check(String name, long opset, Function<GraphBuilder, List<Value>> body) throws Exception {
        check(name, opset, new long[] {4, 9, 9}, body);
    }

    static void check(String name, long opset, long[] inputTail,
                              Function<GraphBuilder, List<Value>> body) throws Exception {
        GraphBuilder b = new GraphBuilder(name, opset);
        Object[] dims = new Object[inputTail.length + 1];
        dims[0] = "N";
        for (int i = 0; i < inputTail.length; i++) {
            dims[i + 1] = inputTail[i];
        }
        b.input("x", DataType.FLOAT, dims);
        List<Value> outs = body.apply(b);
        Map<String, Value> byName = new LinkedHashMap<>();
        for (Value v : outs) {
            b.output(v, null);
            byName.put(v.name(), v);
        }
        Model m = b.build();
        long[] inShape = new long[dims.length];
        inShape[0] = BATCH;
        System.arraycopy(inputTail, 0, inShape, 1, inputTail.length);
        float[] data = new float[(int) Tensor.numel(inShape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i * 0.37) * 3f;
        }
        Map<String, Tensor> outputs = OrtParity.run(m, Map.of("x", Tensor.ofFloats(inShape, data)),
                OrtParity.Settings.ORT_DEFAULTS);
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            Value v = byName.get(e.getKey());
            String where = name + ": " + v.producer() + " -> " + v;
            assertEquals(v.dtype(), e.getValue().dtype(), where + " element type");
            Shape inferred = v.shape();
            assertTrue(inferred != null, where + " has unknown rank");
            long[] actual = e.getValue().dims();
            assertEquals(actual.length, inferred.rank(), where + " rank; ORT gave " + Arrays.toString(actual));
            for (int i = 0; i < actual.length; i++) {
                Dim d = inferred.get(i);
                assertFalse(d instanceof Dim.Unknown, where + " dim " + i + " unknown; ORT gave "
                        + Arrays.toString(actual));
                long expect = d instanceof Dim.Symbolic ? BATCH : d.size();
                if (d instanceof Dim.Symbolic sym) {
                    assertEquals("N", sym.name(), where);
                }
                assertEquals(actual[i], expect, where + " dim " + i + "; ORT gave " + Arrays.toString(actual));
            }
        }
    }

    static Map<String, Attr> attrs(Object... kv) {
        Map<String, Attr> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Attr) kv[i + 1]);
        }
        return m;
    }

    static Value w(GraphBuilder b, long... dims) {
        float[] v = new float[(int) Tensor.numel(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 7) * 0.1f - 0.3f;
        }
        return b.constant(Tensor.ofFloats(dims, v));
    }

    static Value op(GraphBuilder b, String type, Map<String, Attr> a, Value... in) {
        return b.op(type, Arrays.asList(in), a);
    }

    static Tensor ones(long n) {
        float[] v = new float[(int) n];
        Arrays.fill(v, 1f);
        return Tensor.ofFloats(new long[] {n}, v);
    }

    private OrtShapes() {}
}

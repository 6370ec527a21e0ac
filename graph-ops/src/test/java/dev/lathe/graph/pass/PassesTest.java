package dev.lathe.graph.pass;

import static dev.lathe.graph.pass.OrtHarness.assertClose;
import static dev.lathe.graph.pass.OrtHarness.histogram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassesTest {
    @TempDir
    Path dir;

    /** BN folding is in the pipeline: 1e-5 relative (1e-6 absolute near 0), as in ConvBatchNormFoldingTest. */
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-6;

    @Test
    void inferenceCleanupOfStaticTorchExportLeavesOnlyTheComputation() throws Exception {
        Model m = Onnx.load(ConstantFoldingTest.FIXTURES.resolve("shape_chains_static_op13.onnx"));
        Map<String, Tensor> in = OrtHarness.gaussian("input", 8, 2, 3, 8, 8);
        Map<String, Tensor> before = OrtHarness.run(m, in);

        PassRunner cleanup = Passes.inferenceCleanup();
        assertTrue(cleanup.apply(m).modified());

        assertEquals(Map.of("Conv", 2, "Gemm", 1, "MaxPool", 1, "Relu", 2, "Reshape", 4, "Transpose", 1),
                histogram(m));
        assertEquals("logits", m.graph().outputs().get(0).name());
        assertClose(before, OrtHarness.run(m, in), RTOL, ATOL);
        // the saved file loads and runs the same
        Path saved = dir.resolve("cleaned.onnx");
        Onnx.save(m, saved);
        assertClose(before, OrtHarness.run(Onnx.load(saved), in), RTOL, ATOL);
        assertFalse(Passes.inferenceCleanup().apply(m).modified(), "cleanup is idempotent");
    }

    @Test
    void inferenceCleanupWithSymbolicBatchKeepsOnlyTheBatchChains() throws Exception {
        Model m = Onnx.load(ConstantFoldingTest.FIXTURES.resolve("shape_chains_dynamic_op13.onnx"));
        Map<String, Tensor> in = OrtHarness.gaussian("input", 9, 3, 3, 8, 8);
        Map<String, Tensor> before = OrtHarness.run(m, in);

        assertTrue(Passes.inferenceCleanup().apply(m).modified());

        Map<String, Integer> h = histogram(m);
        assertEquals(null, h.get("BatchNormalization"));
        assertEquals(null, h.get("Constant"));
        assertEquals(h.get("Shape"), h.get("Gather"), "one Shape -> Gather(0) per batch-dependent reshape: " + h);
        assertClose(before, OrtHarness.run(m, in), RTOL, ATOL);
    }

    /** Subgraphs are cleaned too: an If branch's Constant becomes a branch initializer and its Identity goes. */
    @Test
    void inferenceCleanupReachesIntoSubgraphs() throws Exception {
        Graph g = new Graph("outer");
        TensorType t = TensorType.of(DataType.FLOAT, 2, 3);
        Value x = g.addInput(new Value("x", t));
        Value cond = g.addInput(new Value("cond", TensorType.of(DataType.BOOL)));
        Value relu = OrtHarness.raw(g, "Relu", List.of(x), Map.of(), t);

        Graph then = new Graph("then");
        Value c = OrtHarness.raw(then, "Constant", List.of(), Map.of("value",
                Attr.of(Tensor.ofFloats(new long[] {3}, 1f, -2f, 0.5f))), TensorType.of(DataType.FLOAT, 3));
        Value id = OrtHarness.raw(then, "Identity", List.of(c), Map.of(), TensorType.of(DataType.FLOAT, 3));
        then.addOutput(OrtHarness.raw(then, "Add", List.of(relu, id), Map.of(), t));
        Graph otherwise = new Graph("else");
        otherwise.addOutput(OrtHarness.raw(otherwise, "Neg", List.of(relu), Map.of(), t));
        g.addOutput(OrtHarness.raw(g, "If", List.of(cond), Map.of("then_branch", Attr.of(then),
                "else_branch", Attr.of(otherwise)), t));
        Model m = new Model(g);
        List<Map<String, Tensor>> before = new ArrayList<>();
        for (boolean flag : new boolean[] {true, false}) {
            before.add(OrtHarness.run(m, withCond(flag)));
        }

        assertTrue(Passes.inferenceCleanup().apply(m).modified());

        assertEquals(List.of("Add"), then.nodes().stream().map(Node::opType).toList());
        assertEquals(1, then.initializers().size());
        int k = 0;
        for (boolean flag : new boolean[] {true, false}) {
            OrtHarness.assertSame(before.get(k++), OrtHarness.run(m, withCond(flag))); // bit-identical
        }
    }

    private static Map<String, Tensor> withCond(boolean flag) throws Exception {
        Map<String, Tensor> in = OrtHarness.gaussian("x", 6, 2, 3);
        in.put("cond", OrtHarness.bool(flag));
        return in;
    }
}

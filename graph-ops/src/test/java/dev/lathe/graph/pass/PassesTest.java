package dev.lathe.graph.pass;

import static dev.lathe.graph.pass.OrtHarness.assertClose;
import static dev.lathe.graph.pass.OrtHarness.histogram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Path;
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
        Map<String, OnnxTensor> in = OrtHarness.gaussian("input", 8, 2, 3, 8, 8);
        List<OrtHarness.Output> before = OrtHarness.run(m, in);

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
        Map<String, OnnxTensor> in = OrtHarness.gaussian("input", 9, 3, 3, 8, 8);
        List<OrtHarness.Output> before = OrtHarness.run(m, in);

        assertTrue(Passes.inferenceCleanup().apply(m).modified());

        Map<String, Integer> h = histogram(m);
        assertEquals(null, h.get("BatchNormalization"));
        assertEquals(null, h.get("Constant"));
        assertEquals(h.get("Shape"), h.get("Gather"), "one Shape -> Gather(0) per batch-dependent reshape: " + h);
        assertClose(before, OrtHarness.run(m, in), RTOL, ATOL);
    }
}

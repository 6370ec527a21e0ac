package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.pass.ConvBatchNormFolding;
import dev.lathe.graph.pass.Passes;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.validate.ModelValidator;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.io.Npy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Passes#inferenceCleanup()} on real torch.onnx exports (opsets 13 and 17, symbolic batch): every Conv+BN
 * pair folds, no Constant or Identity node is left, the result still type-checks, and ONNX Runtime (optimizations
 * off) gives the same logits as on the untransformed export.
 */
class InferenceCleanupTorchvisionTest {
    /**
     * Folding BN changes float32 rounding in every layer and the differences travel through the network, so the
     * bound is relative to the largest logit: |after - before| <= 1e-5 * max|before|.
     */
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path tmp;

    @Test
    void cleanupKeepsLogitsAndFoldsEveryConvBatchNormPair() throws Exception {
        for (String key : TorchvisionFixtures.smallModels()) {
            JsonNode ref = TorchvisionFixtures.manifest().get(key);
            Model m = Onnx.load(TorchvisionFixtures.dir().resolve(ref.get("file").asText()));
            HostTensor input = Npy.read(TorchvisionFixtures.dir().resolve(ref.get("input_file").asText()));
            long foldable = m.graph().nodes().stream().filter(n -> n.opType().equals("BatchNormalization"))
                    .filter(n -> ConvBatchNormFolding.check(n).foldable()).count();
            Map<String, Integer> before = histogram(m);
            float[] expected = run(m, ref.get("input").asText(), input);

            Passes.inferenceCleanup().apply(m);

            Map<String, Integer> after = histogram(m);
            assertTrue(foldable > 0, key + " has Conv+BN pairs");
            assertEquals(before.getOrDefault("BatchNormalization", 0) - foldable,
                    (long) after.getOrDefault("BatchNormalization", 0), key + ": " + before + " -> " + after);
            assertEquals(0, after.getOrDefault("Constant", 0), key + ": " + after);
            assertEquals(0, after.getOrDefault("Identity", 0), key + ": " + after);
            assertEquals(List.of(), ModelValidator.check(m), key);
            Path saved = tmp.resolve(key + "_clean.onnx");
            Onnx.save(m, saved);
            float[] actual = run(Onnx.load(saved), ref.get("input").asText(), input);
            assertEquals(expected.length, actual.length);
            double scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < expected.length; i++) {
                double diff = Math.abs(expected[i] - actual[i]);
                assertTrue(diff <= TOLERANCE * scale, key + " logit " + i + ": " + expected[i] + " vs " + actual[i]
                        + " (diff " + diff + ", bound " + TOLERANCE * scale + ")");
            }
        }
    }

    /**
     * Full-size ResNet-50 and DenseNet-201 exports: the cleanup keeps MACs and removes exactly the folded BNs'
     * parameters (2C each: scale and shift) while adding a C-element bias to each Conv that had none. All 53 of
     * ResNet-50's BNs follow a Conv; in DenseNet-201 the BNs after a Concat cannot fold and stay.
     */
    @Test
    void fullSizeArchitecturesKeepMacsAndLoseExactlyTheFoldedParameters() throws Exception {
        for (String key : List.of("resnet50_224_zero", "densenet201_224_zero")) {
            Model m = Onnx.load(TorchvisionFixtures.modelFile(key, tmp));
            ModelCount before = ModelCounter.count(m);
            long folded = 0;
            long expectedParamChange = 0;
            for (Node n : m.graph().nodes()) {
                ConvBatchNormFolding.Check c = ConvBatchNormFolding.check(n);
                if (n.opType().equals("BatchNormalization") && c.foldable()) {
                    folded++;
                    long channels = c.conv().input(1).constValue().dim(0);
                    expectedParamChange -= 2 * channels;
                    if (c.conv().input(2) == null) {
                        expectedParamChange += channels;
                    }
                }
            }
            int bnBefore = histogram(m).getOrDefault("BatchNormalization", 0);

            Passes.inferenceCleanup().apply(m);

            ModelCount after = ModelCounter.count(m);
            assertEquals(before.macs(), after.macs(), key);
            assertEquals(before.params() + expectedParamChange, after.params(), key);
            assertEquals(bnBefore - folded, (long) histogram(m).getOrDefault("BatchNormalization", 0), key);
            assertEquals(List.of(), ModelValidator.check(m), key);
            if (key.startsWith("resnet50")) {
                assertEquals(53, folded);
                assertEquals(25_557_032L - 26_560L, after.params(), "ResNet-50 BNs hold 2 x 26,560 parameters");
            }
        }
    }

    /** The logits with ORT's optimizations off, after checking their shape. */
    private static float[] run(Model m, String inputName, HostTensor input) throws Exception {
        Map<String, Tensor> out = OrtParity.run(m, Map.of(inputName, Tensor.ofFloats(input.shape(), input.toFloats())),
                OrtParity.Settings.AS_WRITTEN);
        Tensor logits = out.values().iterator().next();
        assertArrayEquals(new long[] {input.shape()[0], 10}, logits.dims());
        return logits.toFloats();
    }

    private static Map<String, Integer> histogram(Model m) {
        Map<String, Integer> h = new TreeMap<>();
        for (Node n : m.graph().nodes()) {
            h.merge(n.opType(), 1, Integer::sum);
        }
        return h;
    }
}

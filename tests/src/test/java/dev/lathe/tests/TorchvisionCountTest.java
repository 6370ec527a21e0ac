package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameter and MAC counts of torch.onnx exports against PyTorch: {@code sum(p.numel() for p in
 * model.parameters())} and Conv/Linear MACs measured with forward hooks (manifest.json), and the published
 * torchvision numbers.
 */
class TorchvisionCountTest {
    @TempDir
    Path tmp;

    private ModelCount count(String key) throws Exception {
        Model m = Onnx.load(TorchvisionFixtures.modelFile(key, tmp));
        ModelCount c = ModelCounter.count(m);
        assertEquals(List.of(), c.uncounted(), key + ": every node's MACs must be countable");
        return c;
    }

    @Test
    void resnet50MatchesTorchvision() throws Exception {
        ModelCount c = count("resnet50_224_zero");
        JsonNode ref = TorchvisionFixtures.manifest().get("resnet50_224_zero");
        assertEquals(25_557_032L, c.params());
        assertEquals(ref.get("params").asLong(), c.params());
        assertEquals(ref.get("macs").asLong(), c.macs(), "Conv+Gemm MACs at batch 1 vs PyTorch hooks");
        double gmacs = Math.round(c.macs() / 1e7) / 100.0; // torchvision publishes two decimals: 4.09
        assertTrue(gmacs >= 4.09 && gmacs <= 4.12, "ResNet-50 GMACs " + c.macs() / 1e9);
        assertEquals(54, c.layers().stream().filter(l -> l.macs() > 0).count(), "53 convs and the fc");
    }

    @Test
    void latheInspectJsonReportsTheSameCounts() throws Exception {
        Path model = TorchvisionFixtures.modelFile("resnet50_224_zero", tmp);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = dev.lathe.cli.Main.run(new String[] {"inspect", model.toString(), "--json"},
                new java.io.PrintStream(out, true, "UTF-8"), new java.io.PrintStream(err, true, "UTF-8"));
        assertEquals(0, code, err.toString("UTF-8"));
        JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString("UTF-8"));
        assertEquals(25_557_032L, j.get("params").asLong());
        assertEquals(4_089_184_256L, j.get("macs").asLong());
        assertEquals(175, j.get("nodes").asInt());
        assertEquals(53, j.get("ops").get("Conv").asInt());
        assertEquals("[\"N\",3,224,224]", j.get("inputs").get(0).get("shape").toString());
        assertEquals("[\"N\",1000]", j.get("outputs").get(0).get("shape").toString());
        assertEquals(107, j.get("layers").size(), "53 convs, 53 batch norms and the fc");
    }

    @Test
    void densenet201MatchesTorchvision() throws Exception {
        ModelCount c = count("densenet201_224_zero");
        JsonNode ref = TorchvisionFixtures.manifest().get("densenet201_224_zero");
        assertEquals(20_013_928L, c.params());
        assertEquals(ref.get("params").asLong(), c.params());
        assertEquals(ref.get("macs").asLong(), c.macs());
    }

    @Test
    void smallModelsMatchPyTorchAtBothOpsets() throws Exception {
        for (String key : TorchvisionFixtures.smallModels()) {
            ModelCount c = count(key);
            JsonNode ref = TorchvisionFixtures.manifest().get(key);
            assertEquals(ref.get("params").asLong(), c.params(), key + " params");
            assertEquals(ref.get("macs").asLong(), c.macs(), key + " MACs");
            assertEquals(c.params(), c.nodes().stream().mapToLong(n -> n.params()).sum(), key);
        }
    }
}

package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.converter.bind.StateDict;
import dev.lathe.converter.bind.StateDictBinder;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import dev.lathe.runtime.dynamic.PatchSelection;
import dev.lathe.runtime.io.Npy;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cascade against {@code fixtures/anchornet/generate_cascade.py}, a PyTorch re-implementation of the authors'
 * {@code make_table.py} / {@code utils.py} / {@code dynamic_inference.py} on random-weight nets: the zoo's AnchorNet
 * bound to the script's state_dict, two tiny downstream nets exported by torch.onnx, four random images. Bicubic
 * resize, CAM, boxes, cumulative logits of every stage, confidences and exit stages must agree.
 */
class AnchorCascadeReferenceTest {
    static Path dir() {
        try {
            return Path.of(AnchorCascadeReferenceTest.class.getResource("/fixtures/anchornet/expected.json").toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Model anchornet(int classes) throws Exception {
        Model m = ModelZoo.get("anchornet").build(new ZooConfig(classes, 224, 0));
        StateDictBinder.bind(m, StateDict.locate(Checkpoint.read(dir().resolve("anchornet.pth")), null), true);
        return m;
    }

    static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    @Test
    void cascadeMatchesThePyTorchReference() throws Exception {
        Path dir = dir();
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        int classes = expected.get("classes").asInt();
        int k = expected.get("patches").asInt();
        double[] taus = doubles(expected.get("thresholds"));
        CascadeSettings settings = CascadeSettings.of(taus, doubles(expected.get("iou")));
        HostTensor half = Npy.read(dir.resolve("images.npy"));
        HostTensor images = HostTensor.ofFloats(half.shape(), half.toFloats());
        int n = (int) images.shape()[0];
        try (AnchorCascade cascade = AnchorCascade.open(Runtimes.get("ort-cpu"), SessionConfig.defaults(),
                anchornet(classes), Onnx.load(dir.resolve("resized.onnx")), Onnx.load(dir.resolve("patch.onnx")),
                settings)) {
            AnchorCascade.Trace trace = cascade.trace(images);
            assertClose(Npy.read(dir.resolve("resized_input.npy")).toFloats(), trace.resizedInput(), 1e-5, "resize");
            assertClose(Npy.read(dir.resolve("cam.npy")).toFloats(), trace.cam(), 1e-4, "CAM");
            long[] boxes = Npy.read(dir.resolve("boxes.npy")).toLongs();
            for (int i = 0; i < n; i++) {
                long[] want = java.util.Arrays.copyOfRange(boxes, i * 4 * k, (i + 1) * 4 * k);
                assertArrayEquals(want, java.util.Arrays.stream(trace.boxes()[i]).asLongStream().toArray(),
                        "boxes of image " + i);
            }
            float[] cum = Npy.read(dir.resolve("cum_logits.npy")).toFloats();
            assertClose(cum, trace.cumulativeLogits(), 1e-4, "cumulative logits");

            try (Outputs o = cascade.run(Map.of("input", images))) {
                long[] exits = o.get("exit_stage").toLongs();
                JsonNode want = expected.get("exit_stage");
                for (int i = 0; i < n; i++) {
                    assertEquals(want.get(i).asLong(), exits[i], "exit stage of image " + i);
                    int s = (int) exits[i];
                    float[] logits = o.get("logits").toFloats();
                    for (int c = 0; c < classes; c++) {
                        assertEquals(cum[(i * (k + 1) + s) * classes + c], logits[i * classes + c], 1e-4,
                                "logits at exit, image " + i);
                    }
                    assertEquals(trace.confidence(i, s), o.get("confidence").toFloats()[i], 1e-6);
                    assertEquals(cascade.stageMacs(s), o.get("macs").toLongs()[i]);
                }
            }
            // MACs from graph-ops counting: AnchorNet once plus one downstream run per resized image or patch
            assertTrue(cascade.stageMacs(1) > cascade.stageMacs(0));
            assertEquals(cascade.stageMacs(2) - cascade.stageMacs(1), cascade.stageMacs(3) - cascade.stageMacs(2));
        }
    }

    /** The cascade is a Session like any model: the runtime's benchmark harness runs it unchanged (no timing asserted). */
    @Test
    void benchmarkHarnessRunsTheCascadeSession() throws Exception {
        Path dir = dir();
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        HostTensor half = Npy.read(dir.resolve("images.npy"));
        HostTensor images = HostTensor.ofFloats(half.shape(), half.toFloats());
        try (AnchorCascade cascade = AnchorCascade.open(Runtimes.get("ort-cpu"), SessionConfig.defaults(),
                anchornet(10), Onnx.load(dir.resolve("resized.onnx")), Onnx.load(dir.resolve("patch.onnx")),
                CascadeSettings.of(doubles(expected.get("thresholds")), doubles(expected.get("iou"))))) {
            dev.lathe.runtime.bench.BenchmarkResult r = new dev.lathe.runtime.bench.InferenceBenchmark(
                    dev.lathe.runtime.bench.BenchmarkConfig.defaults().withWarmupMillis(0).withMinDurationMillis(0)
                            .withMinIterations(2)).run(cascade, Map.of("input", images), 4, "anchornet cascade");
            assertTrue(r.throughput() > 0, r.summary());
            assertTrue(cascade.stats().runs() >= 2);
        }
    }

    @Test
    void selectionMatchesTheAuthorsLoopWithAndWithoutTheQuirk() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(dir().resolve("expected.json").toFile()).get("selection_cases");
        int differing = 0;
        for (int c = 0; c < cases.size(); c += 2) {
            List<List<Integer>> withQuirk = null;
            for (int q = 0; q < 2; q++) {
                JsonNode kase = cases.get(c + q);
                float[] cam = new float[289];
                for (int i = 0; i < cam.length; i++) {
                    cam[i] = (float) kase.get("cam").get(i).asDouble();
                }
                List<PatchSelection.Box> got = PatchSelection.select(cam, 17, 95, 8, kase.get("topk").asInt(),
                        doubles(kase.get("iou")), kase.get("quirk").asBoolean());
                List<List<Integer>> g = new ArrayList<>();
                for (PatchSelection.Box b : got) {
                    g.add(List.of(b.row0(), b.col0(), b.row1(), b.col1()));
                }
                List<List<Integer>> want = new ArrayList<>();
                for (JsonNode b : kase.get("boxes")) {
                    want.add(List.of(b.get(0).asInt(), b.get(1).asInt(), b.get(2).asInt(), b.get(3).asInt()));
                }
                assertEquals(want, g, "case " + c + " quirk " + kase.get("quirk"));
                if (q == 0) {
                    withQuirk = g;
                } else if (!g.equals(withQuirk)) {
                    differing++;
                }
            }
        }
        assertEquals(2, differing, "the quirk changes the two cases built to expose it");
    }

    static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + " length");
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(want[i] - got[i]));
        }
        assertTrue(worst <= tol, what + ": max |diff| " + worst + " > " + tol);
    }
}

package dev.lathe.tests.deploy;

import static dev.lathe.tests.deploy.TritonPackageTest.lathe;
import static dev.lathe.tests.deploy.TritonPackageTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe infer} on committed photographs (JPEG 4:4:4 and 4:2:0, RGB and greyscale PNG, EXIF orientations 3, 6
 * and 8) with a zoo model whose weights are a committed PyTorch checkpoint gives PyTorch's probabilities within 1e-5
 * (fixtures/photos/generate_photos.py: torchvision's PIL pipeline with exif_transpose, Resize(36), CenterCrop(32)).
 */
class InferParityTest {
    static final double TOLERANCE = 1e-5;

    @TempDir
    static Path dir;
    static Path photos;
    static Path model;
    static JsonNode reference;

    @BeforeAll
    static void buildModel() throws Exception {
        photos = TritonPackageTest.fixtures().resolve("photos");
        reference = new ObjectMapper().readTree(photos.resolve("reference.json").toFile());
        model = dir.resolve("cifar_resnet56.onnx");
        ok("zoo", "build", "cifar_resnet56", "--classes", "10", "--weights",
                photos.resolve("cifar_resnet56_w.pth").toString(), "-o", model.toString());
        ok("meta", "set", model.toString(), "preprocessing=imagenet:32",
                "labels=@" + photos.resolve("labels.txt"), "--in-place");
        // provenance: the checkpoint and its SHA-256, the zoo name, both command lines
        String[] meta = lathe("meta", "get", model.toString(), "--json");
        JsonNode m = new ObjectMapper().readTree(meta[1]);
        assertEquals(dev.lathe.converter.meta.ModelMetadata.sha256(photos.resolve("cifar_resnet56_w.pth")),
                m.get("lathe.provenance.checkpoint_sha256").asText());
        assertEquals("cifar_resnet56_w.pth", m.get("lathe.provenance.checkpoint").asText());
        assertEquals("cifar_resnet56", m.get("lathe.provenance.zoo").asText());
        assertEquals(2, new ObjectMapper().readTree(m.get("lathe.provenance.history").asText()).size());
    }

    static List<JsonNode> inferJson(String... args) throws Exception {
        String[] r = lathe(args);
        assertEquals("0", r[0], r[2]);
        List<JsonNode> out = new ArrayList<>();
        for (String line : r[1].strip().split("\n")) {
            out.add(new ObjectMapper().readTree(line));
        }
        return out;
    }

    static double maxDiff(JsonNode result, String file) {
        JsonNode expected = reference.get(file).get("probabilities");
        double worst = 0;
        for (JsonNode p : result.get("top_k")) {
            worst = Math.max(worst, Math.abs(p.get("probability").asDouble()
                    - expected.get(p.get("index").asInt()).asDouble()));
        }
        return worst;
    }

    @Test
    void everyPhotoMatchesPyTorchWithinTolerance() throws Exception {
        List<JsonNode> results = inferJson("infer", model.toString(), photos.toString(), "--top-k", "10", "--json",
                "--batch", "3");
        assertEquals(reference.size(), results.size());
        for (JsonNode r : results) {
            String file = Path.of(r.get("file").asText()).getFileName().toString();
            assertEquals(10, r.get("top_k").size());
            double d = maxDiff(r, file);
            assertTrue(d <= TOLERANCE, file + ": max |p - p_torch| = " + d);
            // sorted by probability, labels from the metadata
            JsonNode top = r.get("top_k");
            assertTrue(top.get(0).get("probability").asDouble() >= top.get(1).get("probability").asDouble());
            assertEquals(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                    "truck").get(top.get(0).get("index").asInt()), top.get(0).get("label").asText());
        }
    }

    /** The orientation matters at this tolerance: the stored (unrotated) pixels give other probabilities. */
    @Test
    void exifOrientationIsApplied() throws Exception {
        Path stripped = dir.resolve("astronaut_no_exif.png");
        java.awt.image.BufferedImage im = javax.imageio.ImageIO.read(photos.resolve("astronaut_exif6.jpg").toFile());
        javax.imageio.ImageIO.write(im, "png", stripped.toFile()); // the stored pixels, orientation dropped
        JsonNode r = inferJson("infer", model.toString(), stripped.toString(), "--top-k", "10", "--json").get(0);
        double d = maxDiff(r, "astronaut_exif6.jpg");
        assertTrue(d > 10 * TOLERANCE, "orientation made no difference: " + d);
    }

    @Test
    void bundleGivesTheSameAnswerAndTextOutputNamesLabels() throws Exception {
        Path bundle = dir.resolve("bundle");
        if (!Files.exists(bundle)) {
            ok("package", model.toString(), "--format", "bundle", "-o", bundle.toString());
        }
        JsonNode r = inferJson("infer", bundle.toString(), photos.resolve("coffee.png").toString(), "--json").get(0);
        assertEquals(5, r.get("top_k").size());
        assertTrue(maxDiff(r, "coffee.png") <= TOLERANCE);
        String[] text = lathe("infer", bundle.toString(), photos.resolve("chelsea_444.jpg").toString(), "--top-k", "2");
        assertEquals("0", text[0], text[2]);
        Iterator<String> lines = text[1].lines().iterator();
        assertTrue(lines.next().endsWith("chelsea_444.jpg"));
        assertTrue(lines.next().matches("  1\\. [a-z]+ +\\d+\\.\\d{4}%  \\(class \\d\\)"), text[1]);
    }

    @Test
    void badInputsAreOneLineWithExitTwo() throws Exception {
        Path notImage = dir.resolve("notes.jpg");
        Files.writeString(notImage, "not a jpeg");
        String[] r = lathe("infer", model.toString(), notImage.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("notes.jpg") && r[2].strip().lines().count() == 1, r[2]);
        Path truncated = dir.resolve("truncated.jpg");
        byte[] b = Files.readAllBytes(photos.resolve("chelsea_444.jpg"));
        Files.write(truncated, java.util.Arrays.copyOf(b, b.length / 2));
        r = lathe("infer", model.toString(), truncated.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("truncated.jpg"), r[2]);
        Path bare = dir.resolve("bare.onnx");
        ok("meta", "set", model.toString(), "preprocessing=", "-o", bare.toString());
        r = lathe("infer", bare.toString(), photos.resolve("coffee.png").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("carries no preprocessing") && r[2].contains("lathe meta set"), r[2]);
        r = lathe("infer", model.toString(), dir.resolve("missing.jpg").toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("missing.jpg"), r[2]);
    }
}

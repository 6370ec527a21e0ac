package dev.lathe.cli.dynamic;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.cli.CliRun;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import dev.lathe.serve.ImageModel;
import dev.lathe.serve.InferenceServer;
import dev.lathe.serve.ServeOptions;
import dev.lathe.serve.V2Request;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AnchorNet cascade packed by {@code lathe dynamic package} and used as one model: {@code lathe serve}'s server
 * answers equal to the cascade opened directly on the original files (prediction, exit stage, MACs, cumulative
 * logits, bit for bit), a photo through the classification extension, {@code lathe infer} and {@code lathe bench
 * infer} on the bundle, a patch net equal to the resized net stored once, and a manifest naming a missing role
 * refused with the key.
 */
class CascadeBundleTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final double[] TAU = {0.5, 0.72, 0};
    static final double[] IOU = {0.3, 0.3};

    @TempDir
    static Path dir;
    static Path anchornet;
    static Path resized;
    static Path patch;
    static Path bundle;

    @BeforeAll
    static void prepare() throws Exception {
        anchornet = dir.resolve("anchornet.onnx");
        resized = dir.resolve("mnv2_resized.onnx");
        patch = dir.resolve("mnv2_patch.onnx");
        assertEquals(0, lathe("zoo", "build", "anchornet", "--classes", "3", "-o", anchornet.toString()).code());
        assertEquals(0, lathe("zoo", "build", "mobilenet_v2", "--classes", "3", "--resolution", "95", "--seed", "1",
                "-o", resized.toString()).code());
        assertEquals(0, lathe("zoo", "build", "mobilenet_v2", "--classes", "3", "--resolution", "95", "--seed", "2",
                "-o", patch.toString()).code());
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "cat\ndog\nbird\n");
        assertEquals(0, lathe("meta", "set", anchornet.toString(), "preprocessing=imagenet:224", "--in-place").code());
        assertEquals(0, lathe("meta", "set", resized.toString(), "labels=@" + labels, "--in-place").code());
        bundle = dir.resolve("cascade");
        CliRun r = lathe("dynamic", "package", "--anchornet", anchornet.toString(), "--resized", resized.toString(),
                "--patch", patch.toString(), "--thresholds", "0.5,0.72,0", "--iou", "0.3,0.3", "-o", bundle.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 stages") && r.out().contains("3 model files") && r.out().contains("3 labels"),
                r.out());
    }

    static AnchorCascade direct() throws Exception {
        return AnchorCascade.open(Runtimes.get("ort-cpu"), SessionConfig.defaults().withThreads(1, 1),
                Onnx.load(anchornet), Onnx.load(resized), Onnx.load(patch), CascadeSettings.of(TAU, IOU));
    }

    static HttpResponse<String> post(InferenceServer s, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                + "/v2/models/anchornet_cascade/infer")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode output(JsonNode response, String name) {
        for (JsonNode o : response.get("outputs")) {
            if (o.get("name").asText().equals(name)) {
                return o.get("data");
            }
        }
        throw new AssertionError("no output " + name + " in " + response);
    }

    @Test
    void servedCascadeEqualsTheCascadeOnTheOriginalFiles() throws Exception {
        int n = 4;
        float[] x = new float[n * 3 * 224 * 224];
        Random random = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        long[] prediction;
        long[] stage;
        long[] macs;
        float[] logits;
        try (AnchorCascade c = direct(); Outputs o = c.run(Map.of(AnchorCascade.INPUT,
                HostTensor.ofFloats(new long[] {n, 3, 224, 224}, x)))) {
            prediction = o.get("prediction").toLongs();
            stage = o.get("exit_stage").toLongs();
            macs = o.get("macs").toLongs();
            logits = o.get("logits").toFloats();
        }
        assertEquals(3, java.util.Arrays.stream(stage).distinct().count(), "the images should exit at every stage: "
                + java.util.Arrays.toString(stage));
        ImageModel model = ImageModel.load(bundle);
        assertEquals(bundle, model.file());
        try (InferenceServer s = InferenceServer.start(model, model.name(), Runtimes.get("ort-cpu"),
                SessionConfig.defaults().withThreads(1, 1), ServeOptions.defaults().withPort(0))) {
            assertTrue(s.batching(), "the cascade takes a symbolic batch");
            HttpResponse<String> r = post(s, V2Request.fp32(AnchorCascade.INPUT, new long[] {n, 3, 224, 224},
                    x, false).json());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = JSON.readTree(r.body());
            for (int i = 0; i < n; i++) {
                assertEquals(prediction[i], output(body, "prediction").get(i).asLong());
                assertEquals(stage[i], output(body, "exit_stage").get(i).asLong());
                assertEquals(macs[i], output(body, "macs").get(i).asLong());
            }
            JsonNode l = output(body, "logits");
            float[] served = new float[l.size()];
            for (int i = 0; i < served.length; i++) {
                served[i] = (float) l.get(i).asDouble();
            }
            assertArrayEquals(logits, served);

            String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(photo()));
            r = post(s, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"" + b64
                    + "\"]}],\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"classification\":2}}]}");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(JSON.readTree(r.body()).get("outputs").get(0).get("data").get(0).asText()
                    .matches("-?[0-9.E-]+:[0-2]:(cat|dog|bird)"), r.body());
        }
    }

    @Test
    void inferAndBenchInferRunTheBundle() throws Exception {
        CliRun r = lathe("infer", bundle.toString(), photo().toString(), "--top-k", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode top = JSON.readTree(r.out().lines().findFirst().orElseThrow()).get("top_k");
        assertEquals(2, top.size());
        assertTrue(top.get(0).get("label").asText().matches("cat|dog|bird"), r.out());
        r = lathe("bench", "infer", bundle.toString(), "--batch", "2", "--warmup-ms", "0", "--duration", "0.1",
                "--iterations", "2", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(JSON.readTree(r.out()).has("throughput"), r.out());
    }

    @Test
    void aPatchNetEqualToTheResizedNetIsStoredOnce() throws Exception {
        Path out = dir.resolve("shared");
        CliRun r = lathe("dynamic", "package", "--anchornet", anchornet.toString(), "--resized", resized.toString(),
                "--patch", resized.toString(), "--thresholds", "0.5,0", "-o", out.toString(), "--name", "shared");
        assertEquals(0, r.code(), r.err());
        JsonNode m = JSON.readTree(out.resolve("bundle.json").toFile());
        assertEquals(2, m.get("models").size());
        assertEquals("resized", m.get("extra").get("cascade").get("patch").asText());
        assertEquals(2, ImageModel.load(out).cascade().settings().stages());
    }

    @Test
    void aManifestNamingAMissingModelIsRefusedWithTheKey() throws Exception {
        Path copy = dir.resolve("broken");
        CliRun r = lathe("dynamic", "package", "--anchornet", anchornet.toString(), "--resized", resized.toString(),
                "--patch", patch.toString(), "--thresholds", "0.5,0", "-o", copy.toString());
        assertEquals(0, r.code(), r.err());
        ObjectNode m = (ObjectNode) JSON.readTree(copy.resolve("bundle.json").toFile());
        ((ObjectNode) m.get("extra").get("cascade")).put("patch", "nope");
        Files.writeString(copy.resolve("bundle.json"), m.toString());
        PackageException e = assertThrows(PackageException.class, () -> ImageModel.load(copy));
        assertTrue(e.getMessage().contains("extra.cascade.patch") && e.getMessage().contains("'nope'"), e.getMessage());
        r = lathe("serve", copy.toString(), "--port", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("extra.cascade.patch"), r.err());
    }

    @Test
    void packageRefusesBadInputAndWritesNothing() {
        Path out = dir.resolve("never");
        CliRun.assertRefused(new String[][] {
            {"dynamic", "package", "--anchornet", anchornet.toString(), "--resized", resized.toString(), "--patch",
                patch.toString(), "-o", out.toString()},
            {"dynamic", "package", "--anchornet", anchornet.toString(), "--resized", resized.toString(), "--patch",
                patch.toString(), "--thresholds", "0.5,1.5", "-o", out.toString()},
            {"dynamic", "package", "--anchornet", resized.toString(), "--resized", resized.toString(), "--patch",
                patch.toString(), "--thresholds", "0.5,0", "-o", out.toString()},
        }, new String[] {"--thresholds", "--thresholds", resized.toString()}, out);
    }

    static Path photo() {
        return Path.of("src/main/resources/dev/lathe/cli/demo/chelsea.jpg");
    }
}

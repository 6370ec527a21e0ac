package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.io.Npy;
import dev.lathe.serve.ImageModel;
import dev.lathe.serve.InferenceServer;
import dev.lathe.serve.ServeOptions;
import dev.lathe.serve.V2Request;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe serve}'s server end to end with real clients on loopback: Java's HttpClient and curl speak the v2
 * JSON protocol; answers equal {@code lathe run}'s on the same input; bad requests get 4xx and the server keeps
 * serving; a full queue is 429; batching forms batches; shutdown finishes requests in flight.
 */
class ServeTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;
    static Path model;
    static Path inputNpy;
    static float[] input;
    static float[] expected;

    @BeforeAll
    static void prepare() throws Exception {
        model = dir.resolve("toy.onnx");
        assertEquals(0, lathe("zoo", "build", "cifar_resnet56", "--classes", "3", "-o", model.toString()).code());
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "cat\ndog\nbird\n");
        assertEquals(0, lathe("meta", "set", model.toString(), "preprocessing=imagenet:32", "labels=@" + labels,
                "name=toy", "--in-place").code());
        input = new float[3 * 32 * 32];
        Random r = new Random(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        inputNpy = dir.resolve("x.npy");
        Npy.write(inputNpy, HostTensor.ofFloats(new long[] {1, 3, 32, 32}, input));
        Path out = dir.resolve("run");
        CliRun run = lathe("run", model.toString(), "--input", "input=" + inputNpy, "-o", out.toString());
        assertEquals(0, run.code(), run.err());
        expected = Npy.read(out.resolve("logits.npy")).toFloats();
    }

    static InferenceServer start(ServeOptions o) throws Exception {
        return InferenceServer.start(ImageModel.load(model), "toy", Runtimes.get("ort-cpu"),
                SessionConfig.defaults().withThreads(1, 1), o.withPort(0));
    }

    static HttpResponse<String> post(InferenceServer s, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(InferenceServer s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static float[] logits(String body) throws Exception {
        JsonNode out = JSON.readTree(body).get("outputs").get(0);
        assertEquals("logits", out.get("name").asText());
        assertEquals("FP32", out.get("datatype").asText());
        float[] v = new float[out.get("data").size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) out.get("data").get(i).asDouble();
        }
        return v;
    }


    static String request() {
        return V2Request.fp32("input", new long[] {1, 3, 32, 32}, input, false).json();
    }

    @Test
    void endpointsAndInferEqualToLatheRun() throws Exception {
        try (InferenceServer s = start(ServeOptions.defaults())) {
            assertTrue(s.warmupMillis() > 0, "the sessions are warmed up before the server listens");
            assertEquals(200, get(s, "/v2/health/live").statusCode());
            assertEquals(200, get(s, "/v2/health/ready").statusCode());
            assertEquals(200, get(s, "/v2/models/toy/ready").statusCode());
            JsonNode meta = JSON.readTree(get(s, "/v2/models/toy").body());
            assertEquals("[-1,3,32,32]", meta.get("inputs").get(0).get("shape").toString());
            assertEquals("FP32", meta.get("outputs").get(0).get("datatype").asText());
            HttpResponse<String> r = post(s, "/v2/models/toy/infer", request());
            assertEquals(200, r.statusCode(), r.body());
            assertArrayEquals(expected, logits(r.body())); // bit-equal: one request runs alone, as lathe run does

            // a photo as BYTES, top 2 through Triton's classification extension
            String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(photo()));
            r = post(s, "/v2/models/toy/versions/1/infer", "{\"id\":\"p1\",\"inputs\":[{\"name\":\"input\",\"shape\":[1],"
                    + "\"datatype\":\"BYTES\",\"data\":[\"" + b64 + "\"]}],\"outputs\":[{\"name\":\"logits\","
                    + "\"parameters\":{\"classification\":2}}]}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode out = JSON.readTree(r.body());
            assertEquals("p1", out.get("id").asText());
            assertEquals("BYTES", out.get("outputs").get(0).get("datatype").asText());
            assertTrue(out.get("outputs").get(0).get("data").get(0).asText().matches("-?[0-9.E-]+:[0-2]:(cat|dog|bird)"),
                    r.body());

            String metrics = get(s, "/metrics").body();
            assertTrue(metrics.contains("lathe_infer_requests_total{code=\"200\",model=\"toy\"} 2.0"), metrics);
            assertTrue(metrics.contains("lathe_batch_size_count{model=\"toy\"}"), metrics);
            assertTrue(metrics.contains("lathe_queue_depth{model=\"toy\"} 0"), metrics);
        }
    }

    /**
     * The binary tensor data extension (Triton's and KServe's): a binary FP32 request answers binary logits
     * bit-equal to lathe run's; a raw photo as binary BYTES gets the same classification strings as its base64 JSON
     * form; JSON inputs with binary_data_output answer binary; malformed framing is a 400 naming what is wrong, and
     * the server keeps serving.
     */
    @Test
    void binaryTensorDataExtension() throws Exception {
        try (InferenceServer s = start(ServeOptions.defaults())) {
            assertTrue(get(s, "/v2").body().contains("binary_tensor_data"));
            HttpResponse<byte[]> r = postBinary(s, V2Request.fp32("input", new long[] {1, 3, 32, 32}, input, true));
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
            int jsonLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
            JsonNode out = JSON.readTree(Arrays.copyOf(r.body(), jsonLength)).get("outputs").get(0);
            assertEquals(4 * expected.length, out.path("parameters").path("binary_data_size").asInt(), out.toString());
            assertTrue(out.path("data").isMissingNode(), out.toString());
            ByteBuffer b = ByteBuffer.wrap(r.body(), jsonLength, r.body().length - jsonLength)
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] got = new float[expected.length];
            b.asFloatBuffer().get(got);
            assertArrayEquals(expected, got);

            byte[] photo = Files.readAllBytes(photo());
            String classify = ",\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"classification\":2}}]}";
            String asJson = V2Request.images("input", List.of(photo), false).json();
            HttpResponse<String> j = post(s, "/v2/models/toy/infer", asJson.substring(0, asJson.length() - 1)
                    + classify);
            assertEquals(200, j.statusCode(), j.body());
            JsonNode jsonOut = JSON.readTree(j.body()).get("outputs").get(0).get("data");
            V2Request raw = V2Request.images("input", List.of(photo), true);
            String head = new String(raw.body(), 0, raw.jsonLength(), StandardCharsets.UTF_8);
            byte[] headBytes = (head.substring(0, head.length() - 1) + classify.substring(0, classify.length() - 1)
                    + "}").getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[headBytes.length + raw.body().length - raw.jsonLength()];
            System.arraycopy(headBytes, 0, body, 0, headBytes.length);
            System.arraycopy(raw.body(), raw.jsonLength(), body, headBytes.length, body.length - headBytes.length);
            r = postBinary(s, new V2Request(body, headBytes.length));
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            jsonLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
            b = ByteBuffer.wrap(r.body(), jsonLength, r.body().length - jsonLength)
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode expectedEntry : jsonOut) {
                byte[] e = new byte[b.getInt()];
                b.get(e);
                assertEquals(expectedEntry.asText(), new String(e, StandardCharsets.UTF_8));
            }
            assertEquals(0, b.remaining());

            String jsonIn = request();
            byte[] asked = (jsonIn.substring(0, jsonIn.length() - 1) + ",\"parameters\":{\"binary_data_output\":true}}")
                    .getBytes(StandardCharsets.UTF_8);
            r = postBinary(s, new V2Request(asked, asked.length)); // JSON in, binary out
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Inference-Header-Content-Length").isPresent());

            byte[] good = V2Request.fp32("input", new long[] {1, 3, 32, 32}, input, true).body();
            int goodJson = V2Request.fp32("input", new long[] {1, 3, 32, 32}, input, true).jsonLength();
            String[][] bad = {
                {"x", "Inference-Header-Content-Length is 'x'"},
                {String.valueOf(good.length + 1), "Inference-Header-Content-Length is '" + (good.length + 1) + "'"},
                {String.valueOf(goodJson), null}, // sanity: the framing itself is right
            };
            for (String[] c : bad) {
                HttpResponse<byte[]> br = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                        + "/v2/models/toy/infer")).header("Inference-Header-Content-Length", c[0])
                        .POST(HttpRequest.BodyPublishers.ofByteArray(good)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                String text = new String(br.body(), StandardCharsets.UTF_8);
                if (c[1] == null) {
                    assertEquals(200, br.statusCode(), text);
                } else {
                    assertEquals(400, br.statusCode(), text);
                    assertTrue(text.contains(c[1]), text);
                }
            }
            byte[] shortBody = Arrays.copyOf(good, good.length - 4);
            assertBad(s, new V2Request(shortBody, goodJson), "declares binary_data_size 12288, but 12284 bytes");
            byte[] longBody = Arrays.copyOf(good, good.length + 3);
            assertBad(s, new V2Request(longBody, goodJson), "3 bytes of binary data follow the JSON object");
            String wrongSize = new String(good, 0, goodJson, StandardCharsets.UTF_8)
                    .replace("12288", "12284");
            byte[] ws = wrongSize.getBytes(StandardCharsets.UTF_8);
            byte[] wsBody = new byte[ws.length + 12284];
            System.arraycopy(ws, 0, wsBody, 0, ws.length);
            assertBad(s, new V2Request(wsBody, ws.length), "input 'input' has binary_data_size 12284, its shape"
                    + " [1, 3, 32, 32] of FP32 needs 12288 bytes");
            r = postBinary(s, V2Request.fp32("input", new long[] {1, 3, 32, 32}, input, true));
            assertEquals(200, r.statusCode(), "the server keeps serving");
        }
    }

    private static HttpResponse<byte[]> postBinary(InferenceServer s, V2Request body) throws Exception {
        return HTTP.send(body.post(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                + "/v2/models/toy/infer"))).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertBad(InferenceServer s, V2Request body, String message) throws Exception {
        HttpResponse<byte[]> r = postBinary(s, body);
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(400, r.statusCode(), text);
        assertTrue(text.contains(message), text);
    }

    static Path photo() {
        return Path.of("src/main/resources/dev/lathe/cli/demo/chelsea.jpg");
    }

    @Test
    void badRequestsGet4xxAndTheServerKeepsServing() throws Exception {
        try (InferenceServer s = start(ServeOptions.defaults().withLimits(64, 64 << 10))) {
            record Bad(String path, String body, int status, String says) {}
            String ok = request();
            List<Bad> bad = List.of(
                    new Bad("/v2/models/toy/infer", "{\"inputs\": [", 400, "malformed JSON"),
                    new Bad("/v2/models/toy/infer", "[]", 400, "'inputs' array"),
                    new Bad("/v2/models/toy/infer", ok.replace("[1,3,32,32]", "[1,3,32,31]"), 400, "shape"),
                    new Bad("/v2/models/toy/infer", ok.replace("FP32", "INT64"), 400, "datatype 'INT64'"),
                    new Bad("/v2/models/toy/infer", ok.replace("\"input\"", "\"image\""), 400, "unknown input 'image'"),
                    new Bad("/v2/models/toy/infer", ok.replace("[1,3,32,32]", "[2,3,32,32]"), 400, "needs 6144"),
                    new Bad("/v2/models/nope/infer", ok, 404, "unknown model 'nope'"),
                    new Bad("/v2/models/toy/versions/7/infer", ok, 404, "version 1 only"),
                    new Bad("/v2/models/toy/infer", "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"BYTES\",\"shape\":[1],"
                            + "\"data\":[\"bm90IGFuIGltYWdl\"]}]}", 400, "cannot decode image"),
                    new Bad("/v2/models/toy/infer", ok + " ".repeat(70 << 10), 413, "over the limit"),
                    new Bad("/v3/anything", "{}", 404, "no such endpoint"));
            for (Bad b : bad) {
                HttpResponse<String> r;
                try {
                    r = post(s, b.path(), b.body());
                } catch (java.io.IOException e) {
                    throw new AssertionError("no answer to the request expecting " + b.status() + " (" + b.says()
                            + "): " + e.getMessage(), e);
                }
                assertEquals(b.status(), r.statusCode(), b.path() + ": " + r.body());
                String error = JSON.readTree(r.body()).get("error").asText();
                assertTrue(error.contains(b.says()), error);
                assertEquals(200, post(s, "/v2/models/toy/infer", ok).statusCode(), "still serving after " + b);
            }
            assertEquals(405, get(s, "/v2/models/toy/infer").statusCode());
        }
    }

    /** Concurrent clients are batched together; each gets its own rows; nothing is lost. */
    @Test
    void dynamicBatchingServesConcurrentClients() throws Exception {
        try (InferenceServer s = start(ServeOptions.defaults().withBatching(8, 20_000))) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                all.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                        + "/v2/models/toy/infer")).POST(HttpRequest.BodyPublishers.ofString(request())).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                float[] got = logits(r.body());
                for (int i = 0; i < got.length; i++) {
                    assertEquals(expected[i], got[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "logit " + i);
                }
            }
            String metrics = get(s, "/metrics").body();
            double count = metric(metrics, "lathe_batch_size_count{model=\"toy\"}");
            double sum = metric(metrics, "lathe_batch_size_sum{model=\"toy\"}");
            assertEquals(24, sum, 0);
            assertTrue(count < 24, "24 concurrent requests ran in " + count + " batches: none was batched");
        }
    }

    static double metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError(series));
    }

    /** A queue of one without batching: a burst gets 429 for what does not fit, 200 for the rest, nothing lost. */
    @Test
    void fullQueueAnswers429() throws Exception {
        try (InferenceServer s = start(ServeOptions.defaults().withBatching(1, 0).withLimits(1, 16 << 20))) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                all.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                        + "/v2/models/toy/infer")).POST(HttpRequest.BodyPublishers.ofString(request())).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int busy = 0;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertEquals(429, r.statusCode(), r.body());
                    assertTrue(r.body().contains("queue"), r.body());
                    busy++;
                }
            }
            assertEquals(16, ok + busy);
            assertTrue(ok >= 1 && busy >= 1, ok + " served, " + busy + " refused");
            assertEquals(200, post(s, "/v2/models/toy/infer", request()).statusCode());
        }
    }

    /** close() while requests wait: every request already accepted is answered 200. */
    @Test
    void gracefulShutdownFinishesRequestsInFlight() throws Exception {
        InferenceServer s = start(ServeOptions.defaults().withBatching(1, 0));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/v2/models/toy/infer")).POST(HttpRequest.BodyPublishers.ofString(request())).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(100);
        s.close();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    /** curl as a second client: a JSON request, a health probe, and binary tensor data framed by hand. */
    @Test
    void curlSpeaksTheProtocolToo() throws Exception {
        if (new ProcessBuilder("sh", "-c", "command -v curl").start().waitFor() != 0) {
            org.junit.jupiter.api.Assumptions.abort("curl is not installed");
        }
        Path body = dir.resolve("req.json");
        Files.writeString(body, request());
        try (InferenceServer s = start(ServeOptions.defaults())) {
            Process p = new ProcessBuilder("curl", "-s", "-S", "-X", "POST", "-H", "Content-Type: application/json",
                    "--data-binary", "@" + body, "http://127.0.0.1:" + s.port() + "/v2/models/toy/infer")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            assertArrayEquals(expected, logits(out));
            p = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://127.0.0.1:" + s.port() + "/v2/health/ready").start();
            assertEquals("200", new String(p.getInputStream().readAllBytes()).trim());

            // binary tensor data, framed by hand as Triton's docs show it: JSON, then the raw little-endian floats
            byte[] head = ("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\","
                    + "\"parameters\":{\"binary_data_size\":12288}}],\"outputs\":[{\"name\":\"logits\","
                    + "\"parameters\":{\"binary_data\":true}}]}").getBytes(StandardCharsets.UTF_8);
            ByteBuffer req = ByteBuffer.allocate(head.length + 4 * input.length).order(ByteOrder.LITTLE_ENDIAN);
            req.put(head);
            for (float v : input) {
                req.putFloat(v);
            }
            Path bin = dir.resolve("req.bin");
            Files.write(bin, req.array());
            Path headers = dir.resolve("headers.txt");
            Path answer = dir.resolve("answer.bin");
            p = new ProcessBuilder("curl", "-s", "-S", "-X", "POST", "-H", "Content-Type: application/octet-stream",
                    "-H", "Inference-Header-Content-Length: " + head.length, "--data-binary", "@" + bin, "-D",
                    headers.toString(), "-o", answer.toString(), "http://127.0.0.1:" + s.port()
                    + "/v2/models/toy/infer").redirectErrorStream(true).start();
            String err = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), err);
            int jsonLength = Files.readAllLines(headers).stream()
                    .filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("inference-header-content-length:"))
                    .mapToInt(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
            byte[] got = Files.readAllBytes(answer);
            assertEquals(4 * expected.length, got.length - jsonLength, new String(got, 0, jsonLength,
                    StandardCharsets.UTF_8));
            float[] logits = new float[expected.length];
            ByteBuffer.wrap(got, jsonLength, 4 * expected.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(logits);
            assertArrayEquals(expected, logits);
        }
    }

    /** The load-test harness, bounded: 2 clients for 1 s per configuration lose no request, in JSON and binary. */
    @Test
    void benchServeLosesNoRequest() throws Exception {
        CliRun r = lathe("bench", "serve", model.toString(), "--clients", "2", "--duration", "1", "--warmup", "0.2",
                "--threads", "1", "--image", photo().toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(2, j.get("runs").size());
        for (JsonNode run : j.get("runs")) {
            assertEquals(0, run.get("errors").asLong(), run.toString());
            assertTrue(run.get("ok").asLong() > 0 && run.get("p99_ms").asDouble() >= run.get("p50_ms").asDouble(),
                    run.toString());
            double batch = run.get("server_mean_batch").asDouble();
            assertTrue(run.get("config").asText().equals("batched") ? batch >= 1 && batch <= 2 : batch == 1,
                    run.toString()); // 2 clients: a batch holds 1 or 2 requests
            assertTrue(run.get("server_mean_compute_ms").asDouble() > 0, run.toString());
        }
        assertTrue(j.get("batching_speedup").asDouble() > 0);
        CliRun binary = lathe("bench", "serve", model.toString(), "--clients", "2", "--duration", "0.5", "--warmup",
                "0.2", "--threads", "1", "--binary", "--only", "batched", "--json");
        assertEquals(0, binary.code(), binary.err());
        JsonNode b = JSON.readTree(binary.out());
        assertEquals("binary", b.get("encoding").asText());
        assertEquals(0, b.get("runs").get(0).get("errors").asLong(), b.toString());
        assertTrue(b.get("runs").get(0).get("ok").asLong() > 0, b.toString());
    }

    /** A Triton repository written by lathe package is served as it is (model.onnx of version 1, labels.txt). */
    @Test
    void servesATritonRepository() throws Exception {
        Path repo = dir.resolve("repo");
        assertEquals(0, lathe("package", model.toString(), "--format", "triton", "-o", repo.toString()).code());
        ImageModel m = ImageModel.load(repo, null);
        assertEquals("toy", m.name());
        assertEquals(List.of("cat", "dog", "bird"), m.labels());
        try (InferenceServer s = InferenceServer.start(m, m.name(), Runtimes.get("ort-cpu"),
                SessionConfig.defaults().withThreads(1, 1), ServeOptions.defaults().withPort(0))) {
            HttpResponse<String> r = post(s, "/v2/models/toy/infer", request());
            assertEquals(200, r.statusCode(), r.body());
            assertArrayEquals(expected, logits(r.body()));
        }
        CliRun bad = lathe("serve", dir.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("neither a bundle"), bad.err());
    }
}

package dev.lathe.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.runtime.data.CorruptImageException;
import dev.lathe.runtime.data.Image;
import dev.lathe.runtime.data.ImageDecoder;
import dev.lathe.graph.ir.Dim;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Open Inference Protocol (KServe v2) over REST on Jetty: {@code GET /v2/health/live}, {@code /v2/health/ready},
 * {@code /v2}, {@code /v2/models/NAME[/versions/1]} (metadata), {@code /v2/models/NAME/ready}, {@code POST
 * /v2/models/NAME/infer} and {@code GET /metrics} (Prometheus text format). Infer takes JSON tensors of the model's
 * inputs, or, for a model with preprocessing, its image input as {@code BYTES} elements holding base64-encoded image
 * files (decoded with EXIF orientation, preprocessed as the model's metadata says). Triton's classification
 * extension ({@code "outputs": [{"name": "logits", "parameters": {"classification": K}}]}) returns the top K as
 * {@code "value:index:label"} strings. Bad requests get 4xx with {@code {"error": "..."}} and the server keeps
 * serving; a full queue is 429; a body over the limit is 413. {@link #close} stops accepting, waits for requests in
 * flight (Jetty's GracefulHandler), finishes queued batches and closes the sessions.
 */
public final class InferenceServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private final ImageModel model;
    private final String name;
    private final ServeOptions options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Batcher batcher;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final boolean batchable;
    private final Server server;
    private volatile boolean ready;
    private double warmupMillis;

    private InferenceServer(ImageModel model, String name, ServeOptions options, List<Session> sessions) {
        this.model = model;
        this.name = name;
        this.options = options;
        this.inputs = sessions.get(0).inputs();
        this.outputs = sessions.get(0).outputs();
        this.batchable = inputs.stream().allMatch(s -> s.shape().rank() > 0 && !s.shape().get(0).isFixed())
                && outputs.stream().allMatch(s -> s.shape() != null && s.shape().rank() > 0
                && !s.shape().get(0).isFixed());
        this.batcher = new Batcher(name, sessions, batchable ? options.maxBatch() : 1, options.maxQueueDelayMicros(),
                options.maxQueue(), metrics);
        QueuedThreadPool threads = new QueuedThreadPool(Math.max(16, 2 * options.maxQueue() + 8), 4);
        threads.setName("lathe-http");
        this.server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(options.host());
        connector.setPort(options.port());
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(new Routes()));
        server.setStopTimeout(TimeUnit.SECONDS.toMillis(options.drainSeconds()));
        server.setStopAtShutdown(false); // the CLI's shutdown hook calls close(), which also drains the batcher
    }

    /**
     * Opens {@code options.instances()} sessions of the model on {@code runtime}, warms each one up (as Triton's
     * model_warmup: one run of zeros at batch 1 and one at the largest batch the batcher forms, so the first
     * requests do not pay for the runtime's lazy allocations; skipped for inputs with symbolic sizes beyond the
     * batch) and starts serving it as {@code /v2/models/NAME}.
     */
    public static InferenceServer start(ImageModel model, String name, InferenceRuntime runtime, SessionConfig config,
            ServeOptions options) throws Exception {
        List<Session> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < options.instances(); i++) {
                sessions.add(model.open(runtime, config));
            }
        } catch (RuntimeException | IOException e) {
            sessions.forEach(Session::close);
            throw e;
        }
        InferenceServer s = new InferenceServer(model, name, options, sessions);
        long t0 = System.nanoTime();
        try {
            for (Session session : sessions) {
                s.warmUp(session);
            }
        } catch (RuntimeException e) {
            s.batcher.close();
            throw e;
        }
        s.warmupMillis = (System.nanoTime() - t0) / 1e6;
        try {
            s.server.start();
        } catch (Exception e) {
            s.batcher.close();
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(),
                    e);
        }
        s.ready = true;
        return s;
    }

    private void warmUp(Session session) {
        boolean fixedBeyondBatch = inputs.stream().allMatch(t -> t.shape() != null && t.shape().rank() > 0
                && java.util.stream.IntStream.range(1, t.shape().rank()).allMatch(i -> t.shape().get(i).isFixed()));
        if (!fixedBeyondBatch) {
            return;
        }
        int[] batches = batcher.maxBatch() > 1 ? new int[] {1, batcher.maxBatch()} : new int[] {1};
        for (int b : batches) {
            Map<String, HostTensor> zeros = new LinkedHashMap<>();
            for (TensorSpec t : inputs) {
                long[] shape = new long[t.shape().rank()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.shape().get(i).isFixed() ? t.shape().get(i).size() : b;
                }
                zeros.put(t.name(), HostTensor.allocate(t.dtype(), shape));
            }
            session.run(zeros).close();
        }
    }

    /** Milliseconds the warm-up runs took before the server started listening. */
    public double warmupMillis() {
        return warmupMillis;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    public String name() {
        return name;
    }

    /** Whether dynamic batching is on: a symbolic batch dimension and a max batch above 1. */
    public boolean batching() {
        return batcher.maxBatch() > 1;
    }

    /** Graceful: no new connections, requests in flight finish (up to drainSeconds), queued batches run. */
    @Override
    public void close() throws Exception {
        ready = false;
        try {
            server.stop();
        } finally {
            batcher.close();
        }
    }

    public void join() throws InterruptedException {
        server.join();
    }

    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String method = request.getMethod();
            int status = 200;
            String body;
            String type = "application/json";
            long start = System.nanoTime();
            boolean infer = false;
            Reply reply = null;
            try {
                String[] p = path.replaceAll("/+$", "").split("/");
                if (path.equals("/metrics")) {
                    requireMethod(method, "GET");
                    body = metrics.scrape();
                    type = "text/plain; version=0.0.4; charset=utf-8";
                } else if (p.length >= 2 && p[1].equals("v2")) {
                    List<String> parts = List.of(p).subList(2, p.length);
                    if (parts.isEmpty()) {
                        requireMethod(method, "GET");
                        body = serverMetadata();
                    } else if (parts.equals(List.of("health", "live"))) {
                        requireMethod(method, "GET");
                        body = "{\"live\":true}";
                    } else if (parts.equals(List.of("health", "ready"))) {
                        requireMethod(method, "GET");
                        status = ready ? 200 : 503;
                        body = "{\"ready\":" + ready + "}";
                    } else if (parts.get(0).equals("models") && parts.size() >= 2) {
                        if (!parts.get(1).equals(name)) {
                            throw new RequestException(404, "unknown model '" + parts.get(1) + "'; this server serves '"
                                    + name + "'");
                        }
                        List<String> rest = parts.subList(2, parts.size());
                        if (rest.size() >= 2 && rest.get(0).equals("versions")) {
                            if (!rest.get(1).equals("1")) {
                                throw new RequestException(404, "model '" + name + "' has version 1 only, not '"
                                        + rest.get(1) + "'");
                            }
                            rest = rest.subList(2, rest.size());
                        }
                        if (rest.isEmpty()) {
                            requireMethod(method, "GET");
                            body = modelMetadata();
                        } else if (rest.equals(List.of("ready"))) {
                            requireMethod(method, "GET");
                            status = ready ? 200 : 503;
                            body = "{\"name\":\"" + name + "\",\"ready\":" + ready + "}";
                        } else if (rest.equals(List.of("infer"))) {
                            requireMethod(method, "POST");
                            infer = true;
                            reply = infer(request);
                            body = null;
                        } else {
                            throw new RequestException(404, "no such endpoint: " + path);
                        }
                    } else {
                        throw new RequestException(404, "no such endpoint: " + path);
                    }
                } else {
                    throw new RequestException(404, "no such endpoint: " + path + " (the API is under /v2)");
                }
            } catch (RequestException e) {
                status = e.status();
                body = error(e.getMessage());
            } catch (RuntimeException | IOException e) {
                status = 500;
                body = error(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (infer || path.endsWith("/infer")) {
                metrics.requests.labelValues(name, String.valueOf(status)).inc();
                metrics.latency.labelValues(name).observe((System.nanoTime() - start) / 1e9);
            }
            if (status >= 400) {
                // the body may be unread (a 404 is decided on the path alone): read what is left, bounded, so that
                // closing does not reset a connection with unread input and lose this answer; then say the
                // connection ends, so no client reuses it
                try {
                    drain(Content.Source.asInputStream(request), options.maxRequestBytes());
                } catch (IOException e) {
                    // the client went away; the answer is written anyway
                }
                response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            }
            response.setStatus(status);
            if (status == 200 && reply != null && reply.binary().length > 0) {
                // the binary tensor data extension: the JSON object, then the outputs' bytes
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                response.getHeaders().put(HEADER_LENGTH, String.valueOf(reply.json().length));
                ByteBuffer all = ByteBuffer.allocate(reply.json().length + reply.binary().length);
                all.put(reply.json()).put(reply.binary()).flip();
                response.write(true, all, callback);
                return true;
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            if (status == 200 && reply != null) {
                response.write(true, ByteBuffer.wrap(reply.json()), callback);
            } else {
                Content.Sink.write(response, true, body, callback);
            }
            return true;
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new RequestException(405, "method " + method + " not allowed here; use " + expected);
        }
    }

    private static String error(String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message == null ? "error" : message.replaceAll("\\s*\\R\\s*", " "));
        return o.toString();
    }

    private String serverMetadata() {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", "lathe");
        o.put("version", String.valueOf(model.metadata().getOrDefault("lathe.provenance.version", "")));
        o.putArray("extensions").add("classification").add("binary_tensor_data");
        return o.toString();
    }

    private String modelMetadata() {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", name);
        o.putArray("versions").add("1");
        o.put("platform", "onnxruntime_onnx");
        o.set("inputs", specs(inputs));
        o.set("outputs", specs(outputs));
        ObjectNode params = o.putObject("parameters");
        params.put("max_batch_size", batchable ? batcher.maxBatch() : 0);
        params.put("dynamic_batching", batching());
        if (model.preprocessing() != null) {
            params.put("preprocessing", model.preprocessing().toJson());
            params.put("image_input", "BYTES elements holding image files (base64 in JSON, raw in binary data) are"
                    + " accepted for input '" + inputs.get(0).name() + "'");
        }
        params.put("labels", model.labels().size());
        return o.toString();
    }

    private static ArrayNode specs(List<TensorSpec> specs) {
        ArrayNode a = JSON.createArrayNode();
        for (TensorSpec s : specs) {
            ObjectNode e = a.addObject();
            e.put("name", s.name());
            e.put("datatype", V2Tensors.name(s.dtype()));
            ArrayNode shape = e.putArray("shape");
            V2Tensors.shape(s).forEach(shape::add);
        }
        return a;
    }

    /** An infer answer: the JSON object and the binary data that follows it (empty without binary outputs). */
    private record Reply(byte[] json, byte[] binary) {}

    /** The binary tensor data extension's header: the length of the JSON object that starts the body. */
    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private Reply infer(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > options.maxRequestBytes()) {
            drain(Content.Source.asInputStream(request), options.maxRequestBytes());
            throw new RequestException(413, "request body of " + declared + " bytes is over the limit of "
                    + options.maxRequestBytes());
        }
        byte[] bytes = readLimited(Content.Source.asInputStream(request), options.maxRequestBytes());
        int jsonLength = jsonLength(request.getHeaders().get(HEADER_LENGTH), bytes.length);
        ByteBuffer binary = ByteBuffer.wrap(bytes, jsonLength, bytes.length - jsonLength).slice();
        JsonNode req;
        try {
            req = JSON.readTree(bytes, 0, jsonLength);
        } catch (JsonProcessingException e) {
            throw new RequestException(400, "malformed JSON: " + e.getOriginalMessage());
        }
        if (req == null || !req.isObject() || !req.path("inputs").isArray() || req.path("inputs").isEmpty()) {
            throw new RequestException(400, "the body must be a JSON object with an 'inputs' array");
        }
        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        int items = -1;
        for (JsonNode in : req.get("inputs")) {
            String inName = in.path("name").asText("");
            TensorSpec spec = inputs.stream().filter(s -> s.name().equals(inName)).findFirst().orElseThrow(() ->
                    new RequestException(400, "unknown input '" + inName + "'; the model's inputs are "
                            + inputs.stream().map(TensorSpec::name).toList()));
            if (feeds.containsKey(inName)) {
                throw new RequestException(400, "input '" + inName + "' given twice");
            }
            ByteBuffer chunk = binaryChunk(in, inName, binary);
            HostTensor t = "BYTES".equals(in.path("datatype").asText()) ? images(in, spec, chunk)
                    : chunk != null ? V2Tensors.parseBinary(in, spec, chunk) : V2Tensors.parse(in, spec);
            if (items >= 0 && t.shape()[0] != items) {
                throw new RequestException(400, "inputs disagree on the batch size (" + items + " and "
                        + t.shape()[0] + ")");
            }
            items = (int) t.shape()[0];
            feeds.put(inName, t);
        }
        for (TensorSpec s : inputs) {
            if (!feeds.containsKey(s.name())) {
                throw new RequestException(400, "input '" + s.name() + "' is missing");
            }
        }
        if (binary.hasRemaining()) {
            throw new RequestException(400, binary.remaining() + " bytes of binary data follow the JSON object that no"
                    + " input's binary_data_size claims");
        }
        if (batchable && items > batcher.maxBatch() && batcher.maxBatch() > 1) {
            throw new RequestException(400, "a request of " + items + " items is over the max batch of "
                    + batcher.maxBatch());
        }
        Map<String, Integer> classification = new LinkedHashMap<>();
        List<String> wanted = new ArrayList<>();
        boolean allBinary = flag(req.path("parameters"), "binary_data_output", "the request");
        Map<String, Boolean> binaryOutput = new LinkedHashMap<>();
        for (JsonNode o : req.path("outputs")) {
            String oName = o.path("name").asText("");
            if (outputs.stream().noneMatch(s -> s.name().equals(oName))) {
                throw new RequestException(400, "unknown output '" + oName + "'; the model's outputs are "
                        + outputs.stream().map(TensorSpec::name).toList());
            }
            wanted.add(oName);
            binaryOutput.put(oName, flag(o.path("parameters"), "binary_data", "output '" + oName + "'") || allBinary);
            JsonNode k = o.path("parameters").path("classification");
            if (!k.isMissingNode()) {
                if (!k.canConvertToInt() || k.asInt() < 1) {
                    throw new RequestException(400, "output '" + oName + "': classification must be a positive"
                            + " integer");
                }
                classification.put(oName, k.asInt());
            }
        }
        Map<String, HostTensor> result;
        try {
            result = batcher.submit(feeds, items).get(300, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RequestException r) {
                throw r;
            }
            if (c instanceof InferenceException) {
                throw new RequestException(400, c.getMessage());
            }
            throw new RequestException(500, String.valueOf(c));
        } catch (TimeoutException e) {
            throw new RequestException(503, "the model did not answer within 300 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestException(503, "interrupted");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model_name", name);
            g.writeStringField("model_version", "1");
            if (req.hasNonNull("id")) {
                g.writeStringField("id", req.get("id").asText());
            }
            g.writeArrayFieldStart("outputs");
            for (Map.Entry<String, HostTensor> e : result.entrySet()) {
                if (!wanted.isEmpty() && !wanted.contains(e.getKey())) {
                    continue;
                }
                Integer k = classification.get(e.getKey());
                ByteArrayOutputStream to = binaryOutput.getOrDefault(e.getKey(), allBinary) ? tail : null;
                if (k != null) {
                    writeClassification(g, e.getKey(), e.getValue(), k, to);
                } else {
                    V2Tensors.write(g, e.getKey(), e.getValue(), to);
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return new Reply(out.toByteArray(), tail.toByteArray());
    }

    /** The JSON object's length: the whole body, or what the binary extension's header says. */
    private static int jsonLength(String header, int bodyLength) {
        if (header == null) {
            return bodyLength;
        }
        long n;
        try {
            n = Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n <= 0 || n > bodyLength) {
            throw new RequestException(400, HEADER_LENGTH + " is '" + header + "'; it must be the length of the JSON"
                    + " object that starts the body, 1 to " + bodyLength + " bytes");
        }
        return (int) n;
    }

    /** The next binary_data_size bytes of the body's binary part, for an input that declares them; else null. */
    private static ByteBuffer binaryChunk(JsonNode in, String name, ByteBuffer binary) {
        JsonNode size = in.path("parameters").path("binary_data_size");
        if (size.isMissingNode()) {
            return null;
        }
        if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
            throw new RequestException(400, "input '" + name + "': binary_data_size must be a byte count, got " + size);
        }
        if (in.has("data")) {
            throw new RequestException(400, "input '" + name + "' has both data and binary_data_size; send one");
        }
        long n = size.asLong();
        if (n > binary.remaining()) {
            throw new RequestException(400, "input '" + name + "' declares binary_data_size " + n + ", but "
                    + binary.remaining() + " bytes of binary data are left after the JSON object (its length comes in"
                    + " the " + HEADER_LENGTH + " header)");
        }
        ByteBuffer chunk = binary.slice(binary.position(), (int) n);
        binary.position(binary.position() + (int) n);
        return chunk;
    }

    /** A boolean request parameter (absent = false). */
    private static boolean flag(JsonNode params, String key, String owner) {
        JsonNode v = params.path(key);
        if (v.isMissingNode()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new RequestException(400, owner + ": parameter " + key + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    /** Triton's classification extension: BYTES [N, K] of "value:index:label" (label left out when unknown). */
    private void writeClassification(JsonGenerator g, String outName, HostTensor t, int k, ByteArrayOutputStream binary)
            throws IOException {
        if (t.rank() != 2) {
            throw new RequestException(400, "classification needs a [N, classes] output; '" + outName + "' is "
                    + java.util.Arrays.toString(t.shape()));
        }
        int n = (int) t.shape()[0];
        int classes = (int) t.shape()[1];
        int kk = Math.min(k, classes);
        float[] v = t.toFloats();
        g.writeStartObject();
        g.writeStringField("name", outName);
        g.writeStringField("datatype", "BYTES");
        g.writeArrayFieldStart("shape");
        g.writeNumber(n);
        g.writeNumber(kk);
        g.writeEndArray();
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (ImageModel.Prediction p : rawTopK(v, i * classes, classes, kk)) {
                entries.add(v[i * classes + p.index()] + ":" + p.index() + (p.label() != null ? ":" + p.label() : ""));
            }
        }
        if (binary != null) {
            ByteArrayOutputStream mine = new ByteArrayOutputStream();
            entries.forEach(e -> V2Tensors.writeBytesElement(mine, e.getBytes(StandardCharsets.UTF_8)));
            g.writeObjectFieldStart("parameters");
            g.writeNumberField("binary_data_size", mine.size());
            g.writeEndObject();
            mine.writeTo(binary);
        } else {
            g.writeArrayFieldStart("data");
            for (String e : entries) {
                g.writeString(e);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private List<ImageModel.Prediction> rawTopK(float[] v, int offset, int classes, int k) {
        return model.topK(v, offset, classes, k); // softmax is monotone: the same order as the raw values
    }

    /**
     * BYTES elements = image files (base64 strings in JSON, or raw in binary data) -> the preprocessed float batch for
     * the model's image input.
     */
    private HostTensor images(JsonNode in, TensorSpec spec, ByteBuffer binary) {
        if (model.preprocessing() == null) {
            throw new RequestException(400, "input '" + spec.name() + "': BYTES images need a model with"
                    + " preprocessing metadata; send " + V2Tensors.name(spec.dtype()) + " tensors instead");
        }
        try {
            model.checkImageInput(spec);
        } catch (RuntimeException e) {
            throw new RequestException(400, e.getMessage());
        }
        List<byte[]> files = binary != null ? V2Tensors.bytesElements(binary, spec.name()) : base64Files(in, spec);
        if (files.isEmpty()) {
            throw new RequestException(400, "input '" + spec.name() + "': BYTES data must hold at least one image file");
        }
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            try {
                images.add(ImageDecoder.decodeOriented(files.get(i), "input '" + spec.name() + "' element " + i));
            } catch (CorruptImageException ex) {
                throw new RequestException(400, ex.getMessage());
            }
        }
        Dim batch = spec.shape().get(0);
        if (batch instanceof Dim.Fixed f && f.size() != images.size()) {
            throw new RequestException(400, "input '" + spec.name() + "' takes exactly " + f.size() + " image(s), got "
                    + images.size());
        }
        return model.batch(images);
    }

    /** JSON BYTES data: base64 strings, flat or one level nested. */
    private static List<byte[]> base64Files(JsonNode in, TensorSpec spec) {
        JsonNode data = in.path("data");
        List<JsonNode> flat = new ArrayList<>();
        if (data.isArray()) {
            data.forEach(e -> {
                if (e.isArray()) {
                    e.forEach(flat::add);
                } else {
                    flat.add(e);
                }
            });
        }
        if (flat.isEmpty()) {
            throw new RequestException(400, "input '" + spec.name() + "': BYTES data must be a non-empty array of"
                    + " base64-encoded image files");
        }
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < flat.size(); i++) {
            JsonNode e = flat.get(i);
            if (!e.isTextual()) {
                throw new RequestException(400, "input '" + spec.name() + "' element " + i + " is not a base64 string");
            }
            try {
                files.add(Base64.getDecoder().decode(e.asText()));
            } catch (IllegalArgumentException ex) {
                throw new RequestException(400, "input '" + spec.name() + "' element " + i + " is not valid base64");
            }
        }
        return files;
    }

    /**
     * Reads and discards what is left of a refused body, up to 8 times the limit: a client still sending when the
     * 413 goes out and the connection closes can lose the response to the reset (seen as "no bytes" by Java's
     * HttpClient). Past that bound the connection is closed unread; nothing is kept in memory either way.
     */
    private static void drain(InputStream in, long limit) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = 8 * limit;
        for (int n; left > 0 && (n = in.read(buf)) > 0; ) {
            left -= n;
        }
    }

    private static byte[] readLimited(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > limit) {
                drain(in, limit);
                throw new RequestException(413, "request body is over the limit of " + limit + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }


}

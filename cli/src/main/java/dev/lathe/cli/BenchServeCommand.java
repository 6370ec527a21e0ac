package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.graph.ir.Dim;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.serve.ImageModel;
import dev.lathe.serve.InferenceServer;
import dev.lathe.serve.LoadTest;
import dev.lathe.serve.V2Request;
import dev.lathe.serve.ServeOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe bench serve BUNDLE|M.onnx [--clients 8] [--duration 10]}: a closed-loop load test of the v2 server on
 * loopback, batch-1 requests of random FP32 input, once with dynamic batching and once without (max batch 1), each
 * with its own fresh server; prints p50/p90/p99 latency, throughput, errors (a lost request counts as one) and the
 * throughput ratio.
 */
public final class BenchServeCommand implements Command {
    @Override
    public String name() {
        return "bench serve";
    }

    @Override
    public String summary() {
        return "load-test lathe serve on loopback with and without dynamic batching (p50/p99, throughput)";
    }

    @Override
    public String usage() {
        return "BUNDLE|M.onnx [--clients C] [--duration S] [--warmup S] [--max-batch B] [--max-queue-delay-us U]"
                + " [--instances K] [--threads T] [--only batched|unbatched] [--image FILE] [--binary] [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("clients").hasArg().argName("C").desc("concurrent clients (default 8)")
                .build());
        o.addOption(Option.builder().longOpt("duration").hasArg().argName("S")
                .desc("measured seconds per configuration (default 10)").build());
        o.addOption(Option.builder().longOpt("warmup").hasArg().argName("S").desc("unmeasured seconds first"
                + " (default 2)").build());
        o.addOption(Option.builder().longOpt("max-batch").hasArg().argName("B")
                .desc("the batched run's max batch (default: the clients)").build());
        o.addOption(Option.builder().longOpt("max-queue-delay-us").hasArg().argName("U")
                .desc("the batched run's max queue delay (default 2000)").build());
        o.addOption(Option.builder().longOpt("instances").hasArg().argName("K").desc("sessions (default 1)").build());
        o.addOption(Option.builder().longOpt("only").hasArg().argName("batched|unbatched")
                .desc("run one configuration only").build());
        o.addOption(Option.builder().longOpt("image").hasArg().argName("FILE")
                .desc("send this image file as a BYTES request (base64; the server decodes and preprocesses it) instead"
                        + " of a random FP32 tensor; needs a model with preprocessing metadata").build());
        o.addOption(Option.builder().longOpt("binary").desc("send the tensor (or image file) as binary data and ask"
                + " the outputs back as binary (the binary tensor data extension, as Triton's clients do by default)"
                + " instead of JSON numbers").build());
        o.addOption(Option.builder().longOpt("json").desc("print one JSON object").build());
        return SessionFlags.add(o);
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        Path file = CliArgs.singleModel(cmd);
        int clients = Flags.intIn(cmd, "clients", 1, 1024, 8);
        double duration = Flags.doubleIn(cmd, "duration", 0, false, 3600, true, 10);
        double warmup = Flags.doubleIn(cmd, "warmup", 0, true, 600, true, 2);
        int maxBatch = Flags.intIn(cmd, "max-batch", 1, Flags.MAX_BATCH, clients);
        long delay = Flags.longIn(cmd, "max-queue-delay-us", 0, 10_000_000L, 2000);
        int instances = Flags.intIn(cmd, "instances", 1, 256, 1);
        String only = cmd.getOptionValue("only");
        if (only != null && !only.equals("batched") && !only.equals("unbatched")) {
            throw new UserError("--only must be batched or unbatched, got '" + only + "'");
        }
        ImageModel model;
        try {
            model = ImageModel.load(file);
        } catch (PackageException e) {
            throw new UserError(e.getMessage(), e);
        }
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        V2Request body;
        boolean binary = cmd.hasOption("binary");
        try (Session probe = SessionFlags.open(runtime, model, SessionFlags.config(cmd, runtime))) {
            body = cmd.hasOption("image") ? imageRequest(Flags.path(cmd, "image"), model, probe.inputs(), binary)
                    : randomRequest(probe.inputs(), model.file(), binary);
        }
        List<String> names = new ArrayList<>();
        List<LoadTest.Result> results = new ArrayList<>();
        List<double[]> server = new ArrayList<>();
        for (String config : List.of("batched", "unbatched")) {
            if (only != null && !only.equals(config)) {
                continue;
            }
            boolean batched = config.equals("batched");
            ServeOptions o = new ServeOptions("127.0.0.1", 0, batched ? maxBatch : 1, batched ? delay : 0,
                    Math.max(64, 4 * clients), 64L << 20, instances, 30);
            try (InferenceServer s = InferenceServer.start(model, model.name(), runtime,
                    SessionFlags.config(cmd, runtime), o)) {
                URI uri = URI.create("http://127.0.0.1:" + s.port() + "/v2/models/" + model.name() + "/infer");
                ctx.err().printf(Locale.ROOT, "%s: %d clients, %.0f s warm-up + %.0f s, %s%n", config, clients, warmup,
                        duration, batched ? "max batch " + maxBatch + ", max queue delay " + delay + " us"
                                : "max batch 1");
                results.add(LoadTest.run(uri, body, clients, duration, warmup));
                names.add(config);
                server.add(serverSide(URI.create("http://127.0.0.1:" + s.port() + "/metrics")));
            }
        }
        if (cmd.hasOption("json")) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = m.createObjectNode();
            root.put("model", file.toString());
            root.put("runtime", runtime.name());
            root.put("clients", clients);
            root.put("request_batch", 1);
            root.put("encoding", binary ? "binary" : "json");
            ArrayNode runs = root.putArray("runs");
            for (int i = 0; i < results.size(); i++) {
                LoadTest.Result r = results.get(i);
                ObjectNode o = runs.addObject();
                o.put("config", names.get(i));
                o.put("seconds", r.seconds());
                o.put("ok", r.ok());
                o.put("errors", r.errorCount());
                r.errors().forEach((k, v) -> o.with("error_kinds").put(k, v));
                o.put("p50_ms", r.p50Ms());
                o.put("p90_ms", r.p90Ms());
                o.put("p99_ms", r.p99Ms());
                o.put("max_ms", r.maxMs());
                o.put("throughput_rps", r.throughput());
                o.put("server_mean_batch", server.get(i)[0]);
                o.put("server_mean_queue_ms", server.get(i)[1]);
                o.put("server_mean_compute_ms", server.get(i)[2]);
            }
            if (results.size() == 2) {
                root.put("batching_speedup", results.get(0).throughput() / results.get(1).throughput());
            }
            ctx.out().println(m.writeValueAsString(root));
        } else {
            ctx.out().printf("%-10s %8s %7s %9s %9s %9s %12s %11s %9s %11s%n", "config", "ok", "errors", "p50 ms",
                    "p90 ms", "p99 ms", "requests/s", "mean batch", "queue ms", "compute ms");
            for (int i = 0; i < results.size(); i++) {
                LoadTest.Result r = results.get(i);
                double[] sv = server.get(i);
                ctx.out().printf(Locale.ROOT, "%-10s %8d %7d %9.2f %9.2f %9.2f %12.1f %11.2f %9.2f %11.2f%n",
                        names.get(i), r.ok(), r.errorCount(), r.p50Ms(), r.p90Ms(), r.p99Ms(), r.throughput(), sv[0],
                        sv[1], sv[2]);
            }
            if (results.size() == 2) {
                ctx.out().printf(Locale.ROOT, "dynamic batching: %.2fx the throughput at %d clients%n",
                        results.get(0).throughput() / results.get(1).throughput(), clients);
            }
        }
        long lost = results.stream().mapToLong(LoadTest.Result::errorCount).sum();
        return lost == 0 ? 0 : ExitCode.USER_ERROR;
    }

    /**
     * The server's own view, from its /metrics after the run (warm-up included): mean items per model run, mean
     * queue time per request and mean time per model run, in ms.
     */
    static double[] serverSide(URI metrics) throws java.io.IOException, InterruptedException {
        String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(metrics)
                .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return new double[] {mean(text, "lathe_batch_size", 1), mean(text, "lathe_queue_time_seconds", 1e3),
            mean(text, "lathe_compute_duration_seconds", 1e3)};
    }

    /** sum / count of a Prometheus histogram in text form (one label set), times {@code scale}. */
    private static double mean(String text, String name, double scale) {
        double sum = Double.NaN;
        double count = Double.NaN;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "_sum")) {
                sum = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith(name + "_count")) {
                count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return count > 0 ? scale * sum / count : Double.NaN;
    }

    /** A batch-1 BYTES request carrying one image file (base64 in JSON, raw in binary data). */
    static V2Request imageRequest(Path image, ImageModel model, List<TensorSpec> inputs, boolean binary)
            throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(image)) {
            throw new UserError("image file not found: " + image);
        }
        try {
            model.requirePreprocessing();
        } catch (PackageException e) {
            throw new UserError(e.getMessage(), e);
        }
        return V2Request.images(inputs.get(0).name(), List.of(java.nio.file.Files.readAllBytes(image)), binary);
    }

    /** A batch-1 FP32 request of seeded Gaussian values for a single-input model with fixed non-batch dims. */
    static V2Request randomRequest(List<TensorSpec> inputs, Path file, boolean binary) {
        if (inputs.size() != 1 || inputs.get(0).dtype() != dev.lathe.graph.ir.DataType.FLOAT) {
            throw new UserError(file + ": bench serve drives single-input float32 models; this one has "
                    + inputs.stream().map(TensorSpec::describe).toList());
        }
        TensorSpec in = inputs.get(0);
        long[] shape = new long[in.shape().rank()];
        for (int i = 0; i < shape.length; i++) {
            Dim d = in.shape().get(i);
            if (d instanceof Dim.Fixed f) {
                shape[i] = f.size();
            } else if (i == 0) {
                shape[i] = 1;
            } else {
                throw new UserError(file + ": input '" + in.name() + "' has a symbolic dim " + i + " ("
                        + in.describe() + "); fix it at export");
            }
        }
        float[] data = new float[(int) dev.lathe.runtime.HostTensor.numel(shape)];
        Random r = new Random(0);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        return V2Request.fp32(in.name(), shape, data, binary);
    }
}

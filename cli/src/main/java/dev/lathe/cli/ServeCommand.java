package dev.lathe.cli;

import dev.lathe.converter.deploy.PackageException;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.serve.ImageModel;
import dev.lathe.serve.InferenceServer;
import dev.lathe.serve.ServeOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe serve BUNDLE|REPO|M.onnx [--name N] [--port 8000]}: the Open Inference Protocol (KServe v2) REST API
 * with dynamic batching and Prometheus metrics until SIGINT/SIGTERM, which drains requests in flight and exits 0.
 */
public final class ServeCommand implements Command {
    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "serve a bundle, Triton repository or model over the Open Inference Protocol (KServe v2 REST)";
    }

    @Override
    public String usage() {
        return "BUNDLE|REPO|M.onnx [--name N] [--host H] [--port P] [--max-batch B] [--max-queue-delay-us U]"
                + " [--max-queue Q] [--max-request-mb M] [--instances K] [--threads T] [--runtime NAME]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("name").hasArg().argName("N")
                .desc("the model's name in /v2/models/N (default: the bundle's; for a repository, the model to serve)")
                .build());
        o.addOption(Option.builder().longOpt("host").hasArg().argName("H")
                .desc("address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)").build());
        o.addOption(Option.builder().longOpt("port").hasArg().argName("P").desc("TCP port (default 8000; 0 = any)")
                .build());
        o.addOption(Option.builder().longOpt("max-batch").hasArg().argName("B")
                .desc("largest batch the dynamic batcher forms (default 8; 1 = no batching)").build());
        o.addOption(Option.builder().longOpt("max-queue-delay-us").hasArg().argName("U")
                .desc("how long a request may wait for others to join its batch (default 1000)").build());
        o.addOption(Option.builder().longOpt("max-queue").hasArg().argName("Q")
                .desc("requests waiting at most; more are answered 429 (default 64)").build());
        o.addOption(Option.builder().longOpt("max-request-mb").hasArg().argName("M")
                .desc("largest request body in MiB; larger is answered 413 (default 16)").build());
        o.addOption(Option.builder().longOpt("instances").hasArg().argName("K")
                .desc("sessions running batches in parallel (default 1)").build());
        return SessionFlags.add(o);
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        List<String> args = cmd.getArgList();
        if (args.size() != 1) {
            throw new UserError("expected one BUNDLE, Triton REPO or M.onnx, got " + (args.isEmpty() ? "none" : args));
        }
        ServeOptions d = ServeOptions.defaults();
        ServeOptions o = new ServeOptions(cmd.getOptionValue("host", d.host()),
                Flags.intIn(cmd, "port", 0, 65535, d.port()),
                Flags.intIn(cmd, "max-batch", 1, Flags.MAX_BATCH, d.maxBatch()),
                Flags.longIn(cmd, "max-queue-delay-us", 0, 10_000_000L, d.maxQueueDelayMicros()),
                Flags.intIn(cmd, "max-queue", 1, 1_000_000, d.maxQueue()),
                Flags.longIn(cmd, "max-request-mb", 1, 4096, d.maxRequestBytes() >> 20) << 20,
                Flags.intIn(cmd, "instances", 1, 256, d.instances()), d.drainSeconds());
        ImageModel model;
        try {
            model = ImageModel.load(Path.of(args.get(0)), cmd.getOptionValue("name"));
        } catch (PackageException e) {
            throw new UserError(e.getMessage(), e);
        }
        String name = cmd.getOptionValue("name", model.name());
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        InferenceServer server;
        try {
            server = InferenceServer.start(model, name, runtime, SessionFlags.config(cmd, runtime), o);
        } catch (InferenceException e) {
            throw new UserError(SessionFlags.oneLine(e.getMessage()), e);
        } catch (java.io.IOException e) {
            throw new UserError(e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ctx.err().println("lathe serve: stopping (finishing requests in flight)");
            try {
                server.close();
            } catch (Exception e) {
                ctx.err().println("lathe serve: " + e.getMessage());
            }
            stopped.countDown();
        }, "lathe-serve-shutdown"));
        ctx.out().printf("serving %s (%s) at http://%s:%d/v2/models/%s (%s; warmed up in %.0f ms)%n", name,
                model.file(), o.host(), server.port(), name, server.batching() ? "dynamic batching up to "
                        + o.maxBatch() + ", max queue delay " + o.maxQueueDelayMicros() + " us" : "no batching",
                server.warmupMillis());
        ctx.out().flush();
        stopped.await();
        return 0;
    }
}

package dev.lathe.cli;

import dev.lathe.converter.deploy.Bundle;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.bench.BenchmarkConfig;
import dev.lathe.runtime.bench.BenchmarkResult;
import dev.lathe.runtime.bench.InferenceBenchmark;
import dev.lathe.runtime.bench.RandomInputs;
import dev.lathe.serve.ImageModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe bench infer MODEL.onnx|BUNDLE}: trtexec-style latency and throughput on random inputs. A cascade
 * bundle runs as the cascade; on random inputs its exits are those random images take.
 */
public final class BenchInferCommand implements Command {

    @Override
    public String name() {
        return "bench infer";
    }

    @Override
    public String summary() {
        return "measure inference latency and throughput (trtexec's method) on random inputs";
    }

    @Override
    public String usage() {
        return "MODEL.onnx|BUNDLE [--batch B] [--shape NAME=AxBxC] [--runtime NAME] [--device cpu|cuda[:N]] [--threads T] [--warmup-ms MS] [--duration S]"
                + " [--iterations N] [--json]";
    }

    @Override
    public java.util.Set<String> repeatable() {
        return java.util.Set.of("shape");
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B")
                .desc("size of a dynamic leading (batch) dimension (default 1; a model with a fixed batch runs its own)").build());
        o.addOption(Option.builder().longOpt("warmup-ms").hasArg().argName("MS")
                .desc("warm-up time in milliseconds, after at least 5 runs (default 200)").build());
        o.addOption(Option.builder().longOpt("duration").hasArg().argName("S")
                .desc("minimum measured time in seconds (default 3)").build());
        o.addOption(Option.builder().longOpt("iterations").hasArg().argName("N")
                .desc("minimum measured runs (default 10)").build());
        o.addOption(Option.builder().longOpt("shape").hasArg().argName("NAME=AxBxC")
                .desc("the full shape of an input with dynamic dimensions, e.g. input=1x3x320x480 (repeatable)")
                .build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("SEED")
                .desc("seed for the random inputs (default 0)").build());
        o.addOption(Option.builder().longOpt("json").desc("print the result as JSON").build());
        return SessionFlags.add(o);
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) {
        Path model = CliArgs.singleModel(cmd);
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, 1);
        BenchmarkConfig config = BenchmarkConfig.defaults();
        if (cmd.hasOption("warmup-ms")) {
            config = config.withWarmupMillis(Flags.longIn(cmd, "warmup-ms", 0, 3_600_000, 0));
        }
        if (cmd.hasOption("duration")) {
            double seconds = Flags.doubleIn(cmd, "duration", 0, true, 86_400, true, 3);
            config = config.withMinDurationMillis(Math.round(seconds * 1000));
        }
        if (cmd.hasOption("iterations")) {
            config = config.withMinIterations(Flags.positiveInt(cmd, "iterations", Flags.MAX_COUNT, 10));
        }
        long seed = Flags.longIn(cmd, "seed", 0, Long.MAX_VALUE, 0);
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        try (Session session = open(runtime, model, SessionFlags.config(cmd, runtime))) {
            if (cmd.hasOption("batch")) {
                RandomInputs.requireBatch(session.inputs(), batch);
            }
            Map<String, HostTensor> inputs = RandomInputs.forSpecs(session.inputs(), batch, seed, shapes(cmd));
            // items/s counts what the model really runs: a fixed batch or a --shape decides it, not --batch alone
            int items = RandomInputs.itemsPerRun(inputs);
            BenchmarkResult r = new InferenceBenchmark(config).run(session, inputs, items, model.toString());
            ctx.out().println(cmd.hasOption("json") ? r.toJson() : r.summary());
        } catch (InferenceException e) {
            throw new UserError(SessionFlags.oneLine(e.getMessage()), e);
        }
        return 0;
    }

    /** A model file, or a bundle (an AnchorNet cascade bundle runs as its cascade). */
    private static Session open(InferenceRuntime runtime, Path model, SessionConfig config) {
        if (!Bundle.isBundle(model)) {
            return SessionFlags.open(runtime, model, config);
        }
        try {
            return SessionFlags.open(runtime, ImageModel.load(model), config);
        } catch (PackageException | IOException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    /** Parses repeated {@code --shape NAME=AxBxC}. */
    private static Map<String, long[]> shapes(CommandLine cmd) {
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        String[] values = cmd.getOptionValues("shape");
        if (values == null) {
            return shapes;
        }
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0 || eq == v.length() - 1) {
                throw new UserError("--shape '" + v + "' is not NAME=AxBxC");
            }
            String[] dims = v.substring(eq + 1).split("[xX,]");
            long[] shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                try {
                    shape[i] = Long.parseLong(dims[i].trim());
                } catch (NumberFormatException e) {
                    shape[i] = -1;
                }
                if (shape[i] < 0) {
                    throw new UserError("--shape '" + v + "': dimension '" + dims[i] + "' is not a size >= 0");
                }
            }
            shapes.put(v.substring(0, eq), shape);
        }
        return shapes;
    }
}

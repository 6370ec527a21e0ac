package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.calibration.data.DatasetSamples;
import dev.lathe.calibration.data.NpyBatches;
import dev.lathe.calibration.method.CalibrationMethod;
import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.calibration.stats.CalibrationTargets;
import dev.lathe.calibration.stats.StatsCollector;
import dev.lathe.calibration.stats.TensorStats;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code lathe calibrate}: per-tensor quantization ranges of an FP32 model from unlabelled data, as JSON. */
public final class CalibrateCommand implements Command {
    private static final int DEFAULT_SAMPLES = 512;
    private static final int DEFAULT_BATCH = 32;

    @Override
    public String name() {
        return "calibrate";
    }

    @Override
    public String summary() {
        return "per-tensor INT8 ranges of an FP32 model from unlabelled data (minmax, percentile, entropy, mse)";
    }

    @Override
    public String usage() {
        return "M.onnx --data synthetic[:k=v,...]|imagefolder:DIR|cifar100:DIR|npy:DIR [--method entropy|minmax|"
                + "percentile|mse] [--percentile P] [--symmetric] [--samples N] [--batch B] [--seed S] [--tensors A,B]"
                + " [--runtime NAME] -o ranges.json";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("data").hasArg().argName("SPEC").desc("calibration images: the specs of"
                + " lathe train (their evaluation pipeline; labels unused), or npy:DIR, a folder of float32 .npy"
                + " batches [N, ...] preprocessed as the model expects").build());
        o.addOption(Option.builder().longOpt("method").hasArg().argName("NAME").desc("entropy (default; TensorRT's"
                + " KL search, symmetric), minmax, percentile, mse (symmetric)").build());
        o.addOption(Option.builder().longOpt("percentile").hasArg().argName("P")
                .desc("for --method percentile: share of values inside the range, in (0, 100] (default "
                        + CalibrationMethod.DEFAULT_PERCENTILE + ")").build());
        o.addOption(Option.builder().longOpt("symmetric").desc("minmax and percentile: a range symmetric about 0"
                + " (default: asymmetric, the observed sides)").build());
        o.addOption(Option.builder().longOpt("samples").hasArg().argName("N")
                .desc("images to calibrate on (default " + DEFAULT_SAMPLES + ")").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B")
                .desc("images per run (default " + DEFAULT_BATCH + "); memory holds one batch of activations").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S")
                .desc("which images a dataset contributes (a seeded shuffle; default 0)").build());
        o.addOption(Option.builder().longOpt("tensors").hasArg().argName("A,B,...").desc("tensors to calibrate"
                + " (default: graph inputs, activation inputs of Conv, Gemm, MatMul and Add, graph outputs)").build());
        SessionFlags.add(o);
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("ranges.json")
                .desc("where to write the ranges (JSON, replaced atomically)").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (cmd.getArgList().size() != 1) {
            throw new UserError("give one model: lathe calibrate M.onnx --data SPEC -o ranges.json");
        }
        Path file = Path.of(cmd.getArgList().get(0));
        if (!Files.isRegularFile(file)) {
            throw new UserError("model file not found: " + file);
        }
        Path out = OutputPaths.file(cmd, "output", file);
        CalibrationMethod method = method(cmd);
        double percentile = Flags.doubleIn(cmd, "percentile", 0, false, 100, true, CalibrationMethod.DEFAULT_PERCENTILE);
        if (cmd.hasOption("percentile") && method != CalibrationMethod.PERCENTILE) {
            throw new UserError("--percentile applies to --method percentile, not " + method.label());
        }
        boolean symmetric = cmd.hasOption("symmetric") || method.alwaysSymmetric();
        int samples = Flags.positiveInt(cmd, "samples", Flags.MAX_COUNT, DEFAULT_SAMPLES);
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, DEFAULT_BATCH);
        long seed = Flags.longIn(cmd, "seed", 0, Long.MAX_VALUE, 0);
        if (!cmd.hasOption("data")) {
            throw new UserError("--data SPEC is required (e.g. imagefolder:DIR, npy:DIR, synthetic:size=224)");
        }
        CalibrationData data = data(cmd.getOptionValue("data"), samples, batch, seed);
        Model model = TrainFlags.fromFile(file);
        List<String> tensors = tensors(cmd, model, file);

        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        Set<String> ends = new HashSet<>();
        model.graph().inputs().forEach(v -> ends.add(v.name()));
        model.graph().outputs().forEach(v -> ends.add(v.name()));
        SessionConfig config = SessionFlags.config(cmd, runtime)
                .withExposedIntermediates(tensors.stream().filter(t -> !ends.contains(t)).toList());
        StatsCollector collector;
        long seen;
        try (Session session = SessionFlags.open(runtime, file, config)) {
            try {
                collector = new StatsCollector(session, tensors, Map.of());
            } catch (IllegalArgumentException e) {
                throw new UserError(file + ": " + e.getMessage());
            }
            try {
                seen = data.forEachBatch(collector::add);
            } catch (IllegalArgumentException e) { // a non-finite activation, a batch file of the wrong type
                throw new UserError(file + ": " + e.getMessage());
            }
        }
        ObjectNode root = json(file, method, percentile, symmetric, seen, collector.stats());
        AtomicFiles.write(out, tmp -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(tmp.toFile(), root));
        ctx.out().printf("%s ranges of %d tensors from %s (%d samples) -> %s%n", method.label(), tensors.size(),
                data.describe(), seen, out);
        return ExitCode.OK;
    }

    private static CalibrationMethod method(CommandLine cmd) {
        try {
            return CalibrationMethod.parse(cmd.getOptionValue("method", "entropy"));
        } catch (IllegalArgumentException e) {
            throw new UserError("--method: " + e.getMessage());
        }
    }

    /** {@code npy:DIR}, or any spec of {@link TrainFlags#datasets} (its evaluation split: no augmentation). */
    private static CalibrationData data(String spec, int samples, int batch, long seed) throws IOException {
        try {
            if (spec.startsWith("npy:")) {
                return new NpyBatches(Path.of(spec.substring("npy:".length())), samples, batch);
            }
            return new DatasetSamples(TrainFlags.datasets(spec).val(), samples, batch, seed);
        } catch (IllegalArgumentException e) {
            throw new UserError("--data '" + spec + "': " + e.getMessage());
        }
    }

    private static List<String> tensors(CommandLine cmd, Model model, Path file) {
        if (!cmd.hasOption("tensors")) {
            return CalibrationTargets.defaults(model);
        }
        Set<String> known = new HashSet<>();
        model.graph().inputs().forEach(v -> known.add(v.name()));
        for (Node n : model.graph().nodes()) {
            n.outputs().forEach(v -> known.add(v.name()));
        }
        List<String> names = Arrays.stream(cmd.getOptionValue("tensors").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).distinct().toList();
        if (names.isEmpty()) {
            throw new UserError("--tensors needs at least one tensor name");
        }
        for (String t : names) {
            if (!known.contains(t) || model.graph().initializer(t) != null) {
                throw new UserError("--tensors: " + file + " has no activation named '" + t + "'");
            }
        }
        return names;
    }

    private static ObjectNode json(Path file, CalibrationMethod method, double percentile, boolean symmetric,
            long samples, Map<String, TensorStats> stats) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("model", file.getFileName().toString());
        root.put("method", method.label());
        if (method == CalibrationMethod.PERCENTILE) {
            root.put("percentile", percentile);
        }
        root.put("samples", samples);
        ObjectNode tensors = root.putObject("tensors");
        stats.forEach((name, s) -> {
            CalibrationRange r;
            try {
                r = method.range(s, percentile, symmetric);
            } catch (IllegalArgumentException e) {
                throw new UserError("tensor " + name + ": " + e.getMessage());
            }
            ObjectNode t = tensors.putObject(name);
            t.put("min", r.min());
            t.put("max", r.max());
            t.put("symmetric", r.symmetric());
            t.put("method", method.label());
            t.put("samples", samples);
            t.put("values", s.count());
            t.put("observed_min", s.min());
            t.put("observed_max", s.max());
        });
        return root;
    }
}

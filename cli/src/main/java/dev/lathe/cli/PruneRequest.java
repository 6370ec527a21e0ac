package dev.lathe.cli;

import dev.lathe.graph.files.OutputFileException;
import dev.lathe.pruning.importance.Importances;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.ort.OrtNchwc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.CommandLine;

/**
 * The flags of {@code lathe prune}, parsed and checked once.
 *
 * @param options the ratio or target, ranking and rounding; null when {@code replay} is set
 * @param replay a plan to replay instead of choosing channels, or null
 * @param planOut where to write the chosen plan, or null
 * @param gradientData synthetic data to compute Taylor/CIC gradients from, or null
 * @param gradientFile a file of Taylor/CIC gradients, or null
 * @param finetune the data of the fine-tunes between steps; null when {@code finetuneEpochs} is 0
 * @param rounding how the channel counts are rounded, in words for the report
 * @param allowPartial write the model even when the target is missed or nothing is removed
 * @param runtime where gradients from {@code gradientData} are computed ({@code --runtime}, {@code --device})
 */
record PruneRequest(Path model, Path output, String criterion, PlanOptions options, Path replay, Path planOut,
        Set<String> ignored, long seed, double cicAlpha, TrainFlags.SyntheticSpec gradientData, Path gradientFile,
        int gradBatch, int steps, int finetuneEpochs, double finetuneLr, int threads, TrainFlags.DataSets finetune,
        String rounding, boolean allowPartial, InferenceRuntime runtime, SessionConfig.Device device) {

    /** More than one cut, or fine-tuning: {@link dev.lathe.pruning.IterativePruner}'s job. */
    boolean iterative() {
        return steps > 1 || finetuneEpochs > 0;
    }

    static PruneRequest parse(CommandLine cmd) throws OutputFileException {
        Path in = CliArgs.singleModel(cmd);
        if (!Files.isRegularFile(in)) {
            throw new UserError("model not found: " + in);
        }
        if (!cmd.hasOption("output")) {
            throw new UserError("no output file; pass -o pruned.onnx");
        }
        Set<String> ignored = new LinkedHashSet<>();
        if (cmd.hasOption("ignore")) {
            for (String s : cmd.getOptionValue("ignore").split(",")) {
                if (!s.isBlank()) {
                    ignored.add(s.trim());
                }
            }
        }
        int steps = Flags.positiveInt(cmd, "steps", 1000, 1);
        int finetuneEpochs = Flags.intIn(cmd, "finetune-epochs", 0, 100_000, 0);
        boolean iterative = steps > 1 || finetuneEpochs > 0;
        if (iterative && (cmd.hasOption("plan") || cmd.hasOption("plan-out"))) {
            throw new UserError("--plan and --plan-out describe one cut of the input model; they cannot be "
                    + "combined with --steps or --finetune-epochs");
        }
        Path replay = null;
        PlanOptions options = null;
        if (cmd.hasOption("plan")) {
            for (String conflicting : List.of("criterion", "ratio", "target-macs", "global", "round-to")) {
                if (cmd.hasOption(conflicting)) {
                    throw new UserError("--plan replays a plan; --" + conflicting + " cannot be combined with it");
                }
            }
            replay = Path.of(cmd.getOptionValue("plan"));
        }
        String criterion = cmd.getOptionValue("criterion", "l1");
        String data = cmd.getOptionValue("data");
        TrainFlags.SyntheticSpec gradientData = null;
        Path gradientFile = null;
        if (replay == null) {
            if (Importances.needsGradients(criterion)) {
                if (data == null) {
                    throw new UserError("--criterion " + criterion + " needs gradients: pass --data synthetic[:options]"
                            + " to compute them from data, or --data GRADS.onnx (parameter gradients as initializers; "
                            + "for cic one set per single-class batch, named b<i>.c<class>/<param>)");
                }
                if (isSynthetic(data)) {
                    gradientData = TrainFlags.synthetic(data);
                } else {
                    gradientFile = Path.of(data);
                }
            }
            options = planOptions(cmd);
        }
        boolean fileGradients = data != null && !isSynthetic(data) && data.endsWith(".onnx");
        if (gradientFile != null && fileGradients && steps > 1) {
            throw new UserError("--criterion " + criterion + " with --steps needs gradients of each step's smaller "
                    + "model: pass --data synthetic[:options], not a gradient file");
        }
        TrainFlags.DataSets finetune = null;
        if (finetuneEpochs > 0) {
            if (data == null || fileGradients) {
                throw new UserError("--finetune-epochs needs training data: --data synthetic[:options] or a dataset "
                        + "spec as for lathe train");
            }
            finetune = TrainFlags.datasets(data);
        }
        Path planOut = Flags.path(cmd, "plan-out");
        InferenceRuntime runtime = gradientData != null ? SessionFlags.runtime(cmd) : null;
        return new PruneRequest(in, OutputPaths.file(cmd, "output", in), criterion, options, replay,
                planOut == null ? null : OutputPaths.file(cmd, planOut, in), ignored,
                Flags.longIn(cmd, "seed", 0, Long.MAX_VALUE, 0),
                Flags.doubleIn(cmd, "cic-alpha", 0, true, Double.POSITIVE_INFINITY, false, 1.0), gradientData,
                gradientFile, Flags.positiveInt(cmd, "grad-batch", Flags.MAX_BATCH, 16), steps, finetuneEpochs,
                Flags.doubleIn(cmd, "finetune-lr", 0, false, 10, true, 0.01), Flags.threads(cmd, 2), finetune,
                options == null ? "as planned" : rounding(cmd, options.roundTo()), cmd.hasOption("allow-partial"),
                runtime, runtime == null ? null : SessionFlags.device(cmd, runtime));
    }

    /**
     * {@code --round-to N}, or {@code auto} (the default): the channel block of the runtime the model will run on,
     * here ONNX Runtime's NCHWc block on this CPU (16 with AVX-512, 8 with AVX2), whose kernels pad other widths up.
     */
    private static int roundTo(CommandLine cmd) {
        String v = cmd.getOptionValue("round-to", "auto");
        return v.equals("auto") ? (int) OrtNchwc.blockSize() : Flags.positiveInt(cmd, "round-to", 4096, 1);
    }

    private static String rounding(CommandLine cmd, int roundTo) {
        return roundTo == 1 ? "none (--round-to 1)" : "multiples of " + roundTo
                + (cmd.getOptionValue("round-to", "auto").equals("auto")
                        ? " (--round-to auto: ONNX Runtime's NCHWc block on this CPU)" : " (--round-to)");
    }

    private static boolean isSynthetic(String data) {
        return data.equals("synthetic") || data.startsWith("synthetic:");
    }

    private static PlanOptions planOptions(CommandLine cmd) {
        boolean ratio = cmd.hasOption("ratio");
        boolean macs = cmd.hasOption("target-macs");
        boolean params = cmd.hasOption("target-params");
        if ((ratio ? 1 : 0) + (macs ? 1 : 0) + (params ? 1 : 0) != 1) {
            throw new UserError("give exactly one of --ratio R, --target-macs F and --target-params F");
        }
        PlanOptions o;
        try {
            o = new PlanOptions(Flags.doubleIn(cmd, "ratio", 0, true, 1, false, 0),
                    Flags.doubleIn(cmd, "target-macs", 0, false, 1, true, 0),
                    Flags.doubleIn(cmd, "target-params", 0, false, 1, true, 0), cmd.hasOption("global"),
                    roundTo(cmd), Flags.doubleIn(cmd, "max-ratio", 0, false, 1, true, 1.0));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        return o;
    }
}

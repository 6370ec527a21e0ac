package dev.lathe.cli;

import dev.lathe.graph.count.LayerCount;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.ort.OrtProviders;
import dev.lathe.runtime.train.GradientProbe;
import java.util.function.Supplier;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.importance.BnScaleImportance;
import dev.lathe.pruning.importance.CicImportance;
import dev.lathe.pruning.importance.FpgmImportance;
import dev.lathe.pruning.importance.GradientSet;
import dev.lathe.pruning.importance.Importance;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.importance.RandomImportance;
import dev.lathe.pruning.importance.TaylorImportance;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.pruning.plan.PruningPlan;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe prune MODEL.onnx --criterion C --ratio R | --target-macs F ... -o pruned.onnx}: structural channel
 * pruning by graph surgery, with a before/after table of parameters and MACs per layer.
 */
public final class PruneCommand implements Command {
    static final List<String> CRITERIA = List.of("l1", "l2", "bn", "taylor", "fpgm", "cic", "random");

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String summary() {
        return "remove channels (structured pruning) and write the smaller model";
    }

    @Override
    public String usage() {
        return "MODEL.onnx (--criterion " + String.join("|", CRITERIA) + " (--ratio R | --target-macs F | "
                + "--target-params F) | --plan plan.json) [--global] [--round-to N] [--ignore NODE,...] "
                + "[--data SPEC|GRADS.onnx] [--steps K [--finetune-epochs E]] [--plan-out plan.json] -o pruned.onnx";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("criterion").hasArg().argName("C")
                .desc("importance: " + String.join(", ", CRITERIA) + " (default l1)").build());
        o.addOption(Option.builder().longOpt("ratio").hasArg().argName("R")
                .desc("fraction of channels to remove per group (or of all channels with --global)").build());
        o.addOption(Option.builder().longOpt("target-macs").hasArg().argName("F")
                .desc("keep this fraction of the MACs (0.5 keeps half); the channel ratio is searched for").build());
        o.addOption(Option.builder().longOpt("target-params").hasArg().argName("F")
                .desc("keep this fraction of the parameters; the channel ratio is searched for").build());
        o.addOption(Option.builder().longOpt("global").desc("rank channels of all groups together").build());
        o.addOption(Option.builder().longOpt("steps").hasArg().argName("K")
                .desc("prune in K steps toward the ratio or target, re-scoring the smaller model each time "
                        + "(default 1)").build());
        o.addOption(Option.builder().longOpt("finetune-epochs").hasArg().argName("E")
                .desc("with --steps: train E epochs on --data (synthetic[:..] or a dataset spec as for lathe train) "
                        + "after each step (default 0)").build());
        o.addOption(Option.builder().longOpt("finetune-lr").hasArg().argName("LR")
                .desc("peak learning rate of each fine-tune, cosine to 0 (default 0.01)").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
                .desc("intra-op threads for fine-tuning (default 2)").build());
        o.addOption(Option.builder().longOpt("round-to").hasArg().argName("N")
                .desc("keep channel counts at multiples of N (8 or 16 suit CPU kernels)").build());
        o.addOption(Option.builder().longOpt("max-ratio").hasArg().argName("M")
                .desc("remove at most this fraction of any layer's channels (default 1.0; never all)").build());
        o.addOption(Option.builder().longOpt("ignore").hasArg().argName("NODE,...")
                .desc("nodes whose output channels are kept").build());
        o.addOption(Option.builder().longOpt("data").hasArg().argName("SPEC|GRADS.onnx")
                .desc("gradients for taylor and cic: synthetic[:classes=..,size=..,per-class=..,imbalance=..] computes "
                        + "them from the model's weights (cic: single-class batches); or a file of initializers "
                        + "<param> / b<i>.c<class>/<param>").build());
        o.addOption(Option.builder().longOpt("grad-batch").hasArg().argName("B")
                .desc("batch size for computing gradients from --data (default 16)").build());
        o.addOption(Option.builder().longOpt("cic-alpha").hasArg().argName("A")
                .desc("CIC consistency weight: score = mean - A * std over classes (default 1.0; 0 = class-aware)")
                .build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S").desc("seed for --criterion random").build());
        o.addOption(Option.builder().longOpt("plan").hasArg().argName("plan.json")
                .desc("replay a plan written by --plan-out instead of choosing channels").build());
        o.addOption(Option.builder().longOpt("plan-out").hasArg().argName("plan.json")
                .desc("write the chosen channels as a replayable JSON plan").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("pruned.onnx")
                .desc("where to write the pruned model").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        Path in = CliArgs.singleModel(cmd);
        if (!Files.isRegularFile(in)) {
            throw new UserError("model not found: " + in);
        }
        if (!cmd.hasOption("output")) {
            throw new UserError("no output file; pass -o pruned.onnx");
        }
        Path out = Path.of(cmd.getOptionValue("output"));
        Set<String> ignored = new LinkedHashSet<>();
        if (cmd.hasOption("ignore")) {
            for (String s : cmd.getOptionValue("ignore").split(",")) {
                if (!s.isBlank()) {
                    ignored.add(s.trim());
                }
            }
        }
        int steps = (int) parseLong(cmd, "steps", 1);
        int finetuneEpochs = (int) parseLong(cmd, "finetune-epochs", 0);
        if (steps < 1 || finetuneEpochs < 0) {
            throw new UserError("--steps must be >= 1 and --finetune-epochs >= 0, got " + steps + " and "
                    + finetuneEpochs);
        }
        if (steps > 1 || finetuneEpochs > 0) {
            if (cmd.hasOption("plan") || cmd.hasOption("plan-out")) {
                throw new UserError("--plan and --plan-out describe one cut of the input model; they cannot be "
                        + "combined with --steps or --finetune-epochs");
            }
            new IterativePruning(cmd, in, out, ignored, steps, finetuneEpochs, ctx).run();
            return 0;
        }
        Model model = Onnx.load(in);
        Pruner.Result r;
        long start = System.nanoTime();
        try {
            if (cmd.hasOption("plan")) {
                for (String conflicting : List.of("criterion", "ratio", "target-macs", "global", "round-to")) {
                    if (cmd.hasOption(conflicting)) {
                        throw new UserError("--plan replays a plan; --" + conflicting + " cannot be combined with it");
                    }
                }
                PruningPlan plan = PruningPlan.load(Path.of(cmd.getOptionValue("plan")));
                r = Pruner.replay(model, plan, ignored);
            } else {
                Importance imp = importance(cmd, in);
                r = Pruner.prune(model, imp, planOptions(cmd), ignored);
            }
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (cmd.hasOption("plan-out")) {
            r.plan().save(Path.of(cmd.getOptionValue("plan-out")));
        }
        Onnx.save(model, out); // Onnx.save writes a temp file and renames it
        printReport(r, ctx.out(), seconds);
        ctx.out().println("wrote " + out);
        return 0;
    }

    static Importance importance(CommandLine cmd, Path modelFile) throws Exception {
        String c = cmd.getOptionValue("criterion", "l1");
        switch (c) {
            case "l1":
                return new MagnitudeImportance(1);
            case "l2":
                return new MagnitudeImportance(2);
            case "bn":
                return new BnScaleImportance();
            case "fpgm":
                return new FpgmImportance();
            case "random":
                return new RandomImportance(parseLong(cmd, "seed", 0));
            case "taylor":
            case "cic":
                if (!cmd.hasOption("data")) {
                    throw new UserError("--criterion " + c + " needs gradients: pass --data synthetic[:options] to "
                            + "compute them from data, or --data GRADS.onnx (parameter gradients as initializers; for "
                            + "cic one set per single-class batch, named b<i>.c<class>/<param>)");
                }
                String spec = cmd.getOptionValue("data");
                GradientSet g;
                if (spec.equals("synthetic") || spec.startsWith("synthetic:")) {
                    g = gradientsFromData(modelFile, TrainFlags.synthetic(spec), c.equals("cic"),
                            (int) parseLong(cmd, "grad-batch", 16));
                } else {
                    Path data = Path.of(spec);
                    if (!Files.isRegularFile(data)) {
                        throw new UserError("gradient file not found: " + data);
                    }
                    g = GradientSet.load(data);
                }
                return c.equals("taylor") ? TaylorImportance.averaged(g)
                        : new CicImportance(g, parseDouble(cmd, "cic-alpha", 1.0));
            default:
                throw new UserError("unknown criterion '" + c + "'; expected one of " + CRITERIA);
        }
    }

    /**
     * Loss gradients of every parameter from the model's current weights: single-class batches for CIC (SEEDS §5.1),
     * shuffled mixed batches for Taylor.
     */
    static GradientSet gradientsFromData(Path modelFile, TrainFlags.SyntheticSpec spec, boolean classWise, int batch)
            throws Exception {
        Supplier<Model> forward = TrainFlags.fromFile(modelFile);
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0), new Optimizer.Sgd(0, false, 0), batch)
                .withGradientOutputs();
        SyntheticDataset data = spec.train();
        if (data.size() < batch) {
            throw new UserError("--grad-batch " + batch + " is larger than the " + data.size() + " images of --data");
        }
        List<int[]> batches = classWise ? GradientProbe.singleClassBatches(data, batch, spec.seed())
                : GradientProbe.shuffledBatches(data, batch, spec.seed());
        List<GradientSet.Batch> out = new java.util.ArrayList<>();
        try (GradientProbe probe = new GradientProbe(Runtimes.get(OrtProviders.CPU), TrainStepBuilder.build(forward, cfg),
                SessionConfig.defaults().withThreads(2, 0))) {
            for (int[] b : batches) {
                out.add(new GradientSet.Batch(classWise ? data.label(b[0]) : -1, probe.gradients(data, b)));
            }
        }
        return new GradientSet(out);
    }

    static PlanOptions planOptions(CommandLine cmd) {
        boolean ratio = cmd.hasOption("ratio");
        boolean macs = cmd.hasOption("target-macs");
        boolean params = cmd.hasOption("target-params");
        if ((ratio ? 1 : 0) + (macs ? 1 : 0) + (params ? 1 : 0) != 1) {
            throw new UserError("give exactly one of --ratio R, --target-macs F and --target-params F");
        }
        PlanOptions o = new PlanOptions(ratio ? parseDouble(cmd, "ratio", 0) : 0,
                macs ? parseDouble(cmd, "target-macs", 1) : 0, params ? parseDouble(cmd, "target-params", 1) : 0,
                cmd.hasOption("global"), (int) parseLong(cmd, "round-to", 1), parseDouble(cmd, "max-ratio", 1.0));
        if (macs && o.targetMacs() <= 0) {
            throw new UserError("--target-macs must be in (0, 1], got " + o.targetMacs());
        }
        if (params && o.targetParams() <= 0) {
            throw new UserError("--target-params must be in (0, 1], got " + o.targetParams());
        }
        return o;
    }

    static double parseDouble(CommandLine cmd, String opt, double fallback) {
        String v = cmd.getOptionValue(opt);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UserError("--" + opt + " expects a number, got '" + v + "'");
        }
    }

    static long parseLong(CommandLine cmd, String opt, long fallback) {
        String v = cmd.getOptionValue(opt);
        try {
            return v == null ? fallback : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UserError("--" + opt + " expects an integer, got '" + v + "'");
        }
    }

    /** Per weighted layer and in total: parameters and MACs before and after. */
    static void printReport(Pruner.Result r, PrintStream out, double seconds) {
        printTable(r.before(), r.after(), out);
        ModelCount bt = r.before();
        ModelCount at = r.after();
        out.printf("params %.2f%% kept, MACs %.2f%% kept; %d channels removed in %d of %d prunable groups "
                + "(%d groups); %.2f s%n", 100.0 * at.params() / bt.params(), 100.0 * at.macs() / Math.max(1, bt.macs()),
                r.plan().removedChannels(), r.plan().groups().size(), r.prunableGroups(), r.groups(), seconds);
        if (!r.unscored().isEmpty()) {
            out.println("not scored by " + r.plan().criterion() + " (kept): " + String.join(", ", r.unscored()));
        }
        for (String b : r.blocked()) {
            out.println("fixed: " + b);
        }
    }

    /** Params and MACs per weighted layer and in total, before and after. */
    static void printTable(ModelCount before, ModelCount afterCount, PrintStream out) {
        Map<String, LayerCount> after = new HashMap<>();
        for (LayerCount c : afterCount.nodes()) {
            after.put(c.name(), c);
        }
        out.printf("%-44s %-14s %12s %12s %14s %14s%n", "layer", "op", "params", "params'", "MACs", "MACs'");
        for (LayerCount b : before.nodes()) {
            if (b.params() == 0 && b.macs() <= 0) {
                continue;
            }
            LayerCount a = after.get(b.name());
            out.printf("%-44s %-14s %12d %12d %14d %14d%n", shorten(b.name(), 44), b.opType(), b.params(),
                    a == null ? 0 : a.params(), Math.max(0, b.macs()), a == null ? 0 : Math.max(0, a.macs()));
        }
        out.printf("%-59s %12d %12d %14d %14d%n", "total", before.params(), afterCount.params(), before.macs(),
                afterCount.macs());
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : "…" + s.substring(s.length() - n + 1);
    }
}

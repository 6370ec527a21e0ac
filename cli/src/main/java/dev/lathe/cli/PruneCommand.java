package dev.lathe.cli;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.pruning.IterativePruner;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.importance.Criterion;
import dev.lathe.pruning.importance.GradientSet;
import dev.lathe.pruning.importance.GradientSource;
import dev.lathe.pruning.importance.ImportanceOptions;
import dev.lathe.pruning.importance.Importances;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.pruning.plan.PruningPlan;
import java.io.IOException;
import java.io.PrintStream;
import dev.lathe.converter.meta.ModelMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe prune MODEL.onnx --criterion C --ratio R | --target-macs F ... -o pruned.onnx}: structural channel
 * pruning by graph surgery, with a before/after table of parameters and MACs per layer.
 */
public final class PruneCommand implements Command {
    /** Batch of the fine-tunes between steps (the trainer needs at least one full batch per epoch). */
    private static final int FINETUNE_BATCH = 16;

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
        return "MODEL.onnx (--criterion " + String.join("|", Importances.NAMES) + " (--ratio R | --target-macs F | "
                + "--target-params F) | --plan plan.json) [--global] [--round-to N] [--ignore NODE,...] "
                + "[--data SPEC|GRADS.onnx] [--steps K [--finetune-epochs E]] [--plan-out plan.json] -o pruned.onnx";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("criterion").hasArg().argName("C")
                .desc("importance: " + String.join(", ", Importances.NAMES) + " (default l1)").build());
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
        o.addOption(Option.builder().longOpt("round-to").hasArg().argName("N|auto")
                .desc("keep channel counts at multiples of N; auto (default): the block of the target runtime's "
                        + "kernels (ONNX Runtime's NCHWc block on this CPU: 16 with AVX-512, 8 with AVX2)").build());
        o.addOption(Option.builder().longOpt("allow-partial")
                .desc("write the model even when the target is missed or no channel is removed (exit 0)").build());
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
        o.addOption(SessionFlags.runtimeOption());
        o.addOption(SessionFlags.deviceOption());
        o.addOption(OutputPaths.inPlaceOption());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("pruned.onnx")
                .desc("where to write the pruned model").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        PruneRequest req = PruneRequest.parse(cmd);
        Model model = Onnx.load(req.model());
        if ("bn".equals(req.criterion()) && req.replay() == null
                && model.graph().nodes().stream().noneMatch(n -> n.opType().equals("BatchNormalization"))) {
            throw new UserError("--criterion bn ranks channels by BatchNormalization scales, and " + req.model()
                    + " has none (an eval-mode export folds them into the convs); use one of "
                    + Importances.NAMES.stream().filter(c -> !c.equals("bn")).toList());
        }
        if (req.options() != null && req.options().targetMacs() > 0 && !ModelCounter.count(model).macsKnown()) {
            throw new UserError(req.model() + ": its MACs are unknown (sizes are symbolic, e.g. a dynamic height or"
                    + " width), so --target-macs has nothing to aim at; use --ratio or --target-params, or export the"
                    + " model with a fixed input size");
        }
        try {
            if (req.iterative()) {
                pruneInSteps(req, model, ctx);
            } else {
                pruneOnce(req, model, ctx);
            }
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        ctx.out().println("wrote " + req.output());
        return 0;
    }

    private static void pruneOnce(PruneRequest req, Model model, CliContext ctx) throws Exception {
        long start = System.nanoTime();
        Pruner.Result r = req.replay() != null
                ? Pruner.replay(model, PruningPlan.load(req.replay()), req.ignored())
                : Pruner.prune(model, criterion(req), req.options(), req.ignored());
        double seconds = (System.nanoTime() - start) / 1e9;
        PruneReport.print(r, ctx.out(), seconds);
        ctx.out().println("channel counts rounded to " + req.rounding());
        checkReached(req, r.plan().removedChannels(), r.before(), r.after(), ctx);
        if (req.planOut() != null) {
            r.plan().save(req.planOut());
        }
        model.metadataProps().put(ModelMetadata.PRUNING, (req.replay() == null ? req.criterion() + ": " : "")
                + PruneReport.summary(r.before(), r.after())
                + (req.replay() != null ? ", replayed " + req.replay().getFileName() : ""));
        Provenance.stamp(model, ctx);
        Onnx.save(model, req.output()); // Onnx.save writes a temp file and renames it
    }

    /**
     * A run that removes nothing or misses its MACs/params target is never silent: it fails (exit 2, nothing written)
     * unless {@code --allow-partial}, which writes the model and says what was reached.
     */
    private static void checkReached(PruneRequest req, long removed, ModelCount before, ModelCount after,
            CliContext ctx) {
        String miss = null;
        PlanOptions o = req.options();
        if (removed == 0) {
            miss = "no channel was removed (see the fixed: lines for the groups that are blocked and why)";
        } else if (o != null && o.targetMacs() > 0 && before.macsKnown()
                && after.macs() > o.targetMacs() * before.macs() + 1e-9) {
            miss = String.format("the target was %.2f%% of the MACs, %.2f%% was reached (the fixed: lines say what "
                    + "blocks the rest)", 100 * o.targetMacs(), 100.0 * after.macs() / before.macs());
        } else if (o != null && o.targetParams() > 0 && after.params() > o.targetParams() * before.params() + 1e-9) {
            miss = String.format("the target was %.2f%% of the params, %.2f%% was reached (the fixed: lines say what "
                    + "blocks the rest)", 100 * o.targetParams(), 100.0 * after.params() / before.params());
        }
        if (miss == null) {
            return;
        }
        if (!req.allowPartial()) {
            throw new UserError(req.model() + ": " + miss + "; nothing written (--allow-partial writes what was "
                    + "reached)");
        }
        ctx.out().println("partial: " + miss);
    }

    /**
     * {@code --steps K [--finetune-epochs E]}: {@link IterativePruner} with the runtime's trainer as the fine-tune,
     * whose checkpoints and exports go to a temporary folder beside the output.
     */
    private static void pruneInSteps(PruneRequest req, Model model, CliContext ctx) throws Exception {
        IterativePruner pruner = new IterativePruner(criterion(req), req.options(), req.steps(), req.ignored());
        Path work = req.finetuneEpochs() > 0
                ? Files.createTempDirectory(req.output().toAbsolutePath().getParent(), ".lathe-prune-steps") : null;
        if (work != null) {
            AtomicFiles.register(work); // deleted with everything in it if the run is interrupted
        }
        try {
            long start = System.nanoTime();
            IterativePruner.FineTune fineTune = work == null ? IterativePruner.FineTune.NONE
                    : (pruned, step) -> fineTune(req, pruned, step, work, ctx);
            IterativePruner.Result r = pruner.run(model, step -> printStep(step, ctx.out()), fineTune);
            PruneReport.printTable(r.before(), r.after(), ctx.out());
            ctx.out().printf("params %.2f%% kept, %s after %d steps; %.2f s%n",
                    100.0 * r.after().params() / r.before().params(), PruneReport.macsKept(r.before(), r.after()),
                    req.steps(),
                    (System.nanoTime() - start) / 1e9);
            ctx.out().println("channel counts rounded to " + req.rounding());
            checkReached(req, r.before().params() - r.after().params(), r.before(), r.after(), ctx);
            r.model().metadataProps().put(ModelMetadata.PRUNING, req.criterion() + ": " + PruneReport.summary(r.before(), r.after())
                    + " in " + req.steps() + " steps");
            Provenance.stamp(r.model(), ctx);
            Onnx.save(r.model(), req.output()); // Onnx.save writes a temp file and renames it
        } finally {
            if (work != null) {
                AtomicFiles.deleteTree(work);
                AtomicFiles.forget(work);
            }
        }
    }

    private static Model fineTune(PruneRequest req, Model pruned, IterativePruner.Step step, Path work,
            CliContext ctx) throws Exception {
        TrainRecipe recipe = new TrainRecipe(req.finetuneEpochs(), 0, FINETUNE_BATCH, req.finetuneLr(), req.threads());
        TrainRecipe.Outcome o = recipe.run(pruned, req.finetune().train(), req.finetune().val(),
                work.resolve("train" + step.index()), work.resolve("step" + step.index() + "_finetuned.onnx"),
                ctx.err());
        ctx.out().printf("step %d/%d: fine-tuned %d epoch(s): train loss %.4f, val top-1 %.2f%%%n", step.index(),
                step.of(), req.finetuneEpochs(), o.last().trainLoss(), 100 * o.last().valTop1());
        return o.model();
    }

    private static void printStep(IterativePruner.Step step, PrintStream out) {
        ModelCount first = step.input();
        ModelCount now = step.result().after();
        out.printf("step %d/%d: %s -> params %d (%.1f%%), MACs %d (%.1f%%), %d channels removed%n", step.index(),
                step.of(), describe(step.options()), now.params(), 100.0 * now.params() / first.params(), now.macs(),
                100.0 * now.macs() / Math.max(1, first.macs()), step.result().plan().removedChannels());
    }

    private static String describe(PlanOptions o) {
        if (o.targetMacs() > 0) {
            return String.format("keep %.3f of the MACs", o.targetMacs());
        }
        if (o.targetParams() > 0) {
            return String.format("keep %.3f of the params", o.targetParams());
        }
        return String.format("channel ratio %.3f", o.ratio());
    }

    /** The request's criterion; Taylor and CIC get their gradients from synthetic data or a gradient file. */
    private static Criterion criterion(PruneRequest req) throws IOException {
        GradientSource gradients = null;
        if (req.gradientData() != null) {
            gradients = new ProbeGradients(req.gradientData(), req.gradBatch(), req.runtime(), req.device());
        } else if (req.gradientFile() != null) {
            if (!Files.isRegularFile(req.gradientFile())) {
                throw new UserError("gradient file not found: " + req.gradientFile());
            }
            gradients = GradientSource.fixed(GradientSet.load(req.gradientFile()));
        }
        return Importances.byName(req.criterion(),
                new ImportanceOptions(req.seed(), req.cicAlpha(), gradients));
    }
}

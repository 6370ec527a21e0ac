package dev.lathe.cli;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.importance.Importance;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.runtime.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.commons.cli.CommandLine;

/**
 * {@code lathe prune ... --steps K [--finetune-epochs E --data SPEC]}: prunes in K steps toward the final ratio or
 * target, scoring the current (already smaller, possibly fine-tuned) model each time, and fine-tunes E epochs with
 * the runtime's trainer after every step. Step i aims at the fraction {@code 1 − (1 − F)·i/K} of the input model's
 * MACs or params (converted to a fraction of the current model), or removes {@code 1 − (1 − R)^(1/K)} of each
 * group's channels, so K steps of --ratio R keep (1 − R) of the channels.
 */
final class IterativePruning {
    /** Batch of the fine-tunes between steps (the trainer needs at least one full batch per epoch). */
    private static final int FINETUNE_BATCH = 16;

    private final CommandLine cmd;
    private final Path in;
    private final Path out;
    private final Set<String> ignored;
    private final int steps;
    private final int finetuneEpochs;
    private final CliContext ctx;

    IterativePruning(CommandLine cmd, Path in, Path out, Set<String> ignored, int steps, int finetuneEpochs,
            CliContext ctx) {
        this.cmd = cmd;
        this.in = in;
        this.out = out;
        this.ignored = ignored;
        this.steps = steps;
        this.finetuneEpochs = finetuneEpochs;
        this.ctx = ctx;
    }

    void run() throws Exception {
        PlanOptions finalOptions = PruneCommand.planOptions(cmd);
        String criterion = cmd.getOptionValue("criterion", "l1");
        boolean gradients = criterion.equals("taylor") || criterion.equals("cic");
        String data = cmd.getOptionValue("data");
        boolean fileGradients = data != null && !data.equals("synthetic") && !data.startsWith("synthetic:")
                && data.endsWith(".onnx");
        if (gradients && fileGradients && steps > 1) {
            throw new UserError("--criterion " + criterion + " with --steps needs gradients of each step's smaller "
                    + "model: pass --data synthetic[:options], not a gradient file");
        }
        TrainFlags.DataSets finetuneData = null;
        if (finetuneEpochs > 0) {
            if (data == null || fileGradients) {
                throw new UserError("--finetune-epochs needs training data: --data synthetic[:options] or a dataset "
                        + "spec as for lathe train");
            }
            finetuneData = TrainFlags.datasets(data);
        }
        double lr = PruneCommand.parseDouble(cmd, "finetune-lr", 0.01);
        int threads = (int) PruneCommand.parseLong(cmd, "threads", 2);
        Path work = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".lathe-prune-steps");
        try {
            Model original = Onnx.load(in);
            ModelCount first = ModelCounter.count(original);
            Path current = in;
            ModelCount now = first;
            long start = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                Model model = Onnx.load(current);
                PlanOptions o = stepOptions(finalOptions, step, now, first);
                Importance imp = PruneCommand.importance(cmd, current);
                Pruner.Result r;
                try {
                    r = Pruner.prune(model, imp, o, ignored);
                } catch (IllegalArgumentException e) {
                    throw new UserError("step " + step + ": " + e.getMessage(), e);
                }
                Path cut = work.resolve("step" + step + ".onnx");
                Onnx.save(model, cut);
                now = r.after();
                ctx.out().printf("step %d/%d: %s -> params %d (%.1f%%), MACs %d (%.1f%%), %d channels removed%n",
                        step, steps, describe(o), now.params(), 100.0 * now.params() / first.params(), now.macs(),
                        100.0 * now.macs() / Math.max(1, first.macs()), r.plan().removedChannels());
                current = cut;
                if (finetuneEpochs > 0) {
                    Path tuned = work.resolve("step" + step + "_finetuned.onnx");
                    EpochMetrics m = DemoCommand.train(TrainFlags.fromFile(cut), finetuneData.train(), finetuneData.val(),
                            finetuneEpochs, 0, FINETUNE_BATCH, lr, threads, work.resolve("train" + step), tuned, ctx);
                    ctx.out().printf("step %d/%d: fine-tuned %d epoch(s): train loss %.4f, val top-1 %.2f%%%n", step,
                            steps, finetuneEpochs, m.trainLoss(), 100 * m.valTop1());
                    current = tuned;
                }
            }
            Model result = Onnx.load(current);
            Onnx.save(result, out); // Onnx.save writes a temp file and renames it
            ModelCount last = ModelCounter.count(result);
            PruneCommand.printTable(first, last, ctx.out());
            ctx.out().printf("params %.2f%% kept, MACs %.2f%% kept after %d steps; %.2f s%n",
                    100.0 * last.params() / first.params(), 100.0 * last.macs() / Math.max(1, first.macs()), steps,
                    (System.nanoTime() - start) / 1e9);
            ctx.out().println("wrote " + out);
        } finally {
            deleteTree(work);
        }
    }

    /** The options of step {@code step}: the same ranking and rounding, a share of the final ratio or target. */
    PlanOptions stepOptions(PlanOptions f, int step, ModelCount now, ModelCount first) {
        if (f.targetMacs() > 0) {
            double aim = 1 - (1 - f.targetMacs()) * step / steps;
            return f.withTargetMacs(Math.min(1, aim * first.macs() / Math.max(1, now.macs())));
        }
        if (f.targetParams() > 0) {
            double aim = 1 - (1 - f.targetParams()) * step / steps;
            return f.withTargetParams(Math.min(1, aim * first.params() / Math.max(1, now.params())));
        }
        return f.withRatio(1 - Math.pow(1 - f.ratio(), 1.0 / steps));
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


    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

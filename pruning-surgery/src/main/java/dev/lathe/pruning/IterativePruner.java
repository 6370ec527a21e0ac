package dev.lathe.pruning;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.pruning.importance.Criterion;
import dev.lathe.pruning.plan.PlanOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Prunes in K steps toward a final ratio or target, re-scoring the current (already smaller, possibly fine-tuned)
 * model each time and handing it to a fine-tune callback after every step, the last included. Step i aims at the
 * fraction {@code 1 − (1 − F)·i/K} of the input model's MACs or params (converted to a fraction of the current
 * model), or removes {@code 1 − (1 − R)^(1/K)} of each group's channels, so K steps of ratio R keep (1 − R) of
 * the channels. Models pass from step to step in memory.
 */
public final class IterativePruner {
    /** Trains the model a step has just cut and returns the trained model (the same object or another). */
    @FunctionalInterface
    public interface FineTune {
        /** Leaves the model as it is. */
        FineTune NONE = (model, step) -> model;

        Model apply(Model pruned, Step step) throws Exception;
    }

    /**
     * One step: its 1-based index of {@code of}, the options it planned with (its share of the final target, which
     * is a share of the {@code input} model's counts) and what the cut did.
     */
    public record Step(int index, int of, PlanOptions options, ModelCount input, Pruner.Result result) {}

    /** The final model, the input model's counts and the final model's, and every step. */
    public record Result(Model model, ModelCount before, ModelCount after, List<Step> steps) {}

    private final Criterion criterion;
    private final PlanOptions target;
    private final int steps;
    private final Set<String> ignoredNodes;

    /**
     * @param target the final ratio or MACs/params target and the ranking and rounding every step uses
     * @param steps K, at least 1
     */
    public IterativePruner(Criterion criterion, PlanOptions target, int steps, Set<String> ignoredNodes) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        this.criterion = criterion;
        this.target = target;
        this.steps = steps;
        this.ignoredNodes = Set.copyOf(ignoredNodes);
    }

    /**
     * Runs the K steps. {@code model} is cut in place by the first step; later steps cut what the fine-tune
     * returned. {@code onStep} hears of each cut before its fine-tune.
     */
    public Result run(Model model, Consumer<Step> onStep, FineTune fineTune) throws Exception {
        ModelCount first = ModelCounter.count(model);
        ModelCount now = first;
        Model current = model;
        List<Step> done = new ArrayList<>();
        for (int i = 1; i <= steps; i++) {
            PlanOptions o = stepOptions(target, i, steps, now, first);
            Pruner.Result r;
            try {
                r = Pruner.prune(current, criterion, o, ignoredNodes);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("step " + i + ": " + e.getMessage(), e);
            }
            Step step = new Step(i, steps, o, first, r);
            done.add(step);
            onStep.accept(step);
            current = fineTune.apply(current, step);
            now = r.after();
        }
        return new Result(current, first, ModelCounter.count(current), List.copyOf(done));
    }

    /** The options of step {@code step} of {@code steps}: the same ranking and rounding, a share of the target. */
    static PlanOptions stepOptions(PlanOptions target, int step, int steps, ModelCount now, ModelCount first) {
        if (target.targetMacs() > 0) {
            double aim = 1 - (1 - target.targetMacs()) * step / steps;
            return target.withTargetMacs(Math.min(1, aim * first.macs() / Math.max(1, now.macs())));
        }
        if (target.targetParams() > 0) {
            double aim = 1 - (1 - target.targetParams()) * step / steps;
            return target.withTargetParams(Math.min(1, aim * first.params() / Math.max(1, now.params())));
        }
        return target.withRatio(1 - Math.pow(1 - target.ratio(), 1.0 / steps));
    }
}

package dev.lathe.pruning;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.pass.Passes;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.importance.Criterion;
import dev.lathe.pruning.importance.Importance;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.pruning.plan.Planner;
import dev.lathe.pruning.plan.PruningPlan;
import dev.lathe.pruning.surgery.Surgery;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Analyse, score, plan and cut: the whole pruning of one model, in place. Pruning first runs
 * {@link Passes#forPruning()} on the model (it is being edited anyway), so plain torch.onnx exports, whose
 * de-duplicated constants reach convs through Identity nodes, prune like models built here.
 */
public final class Pruner {
    private Pruner() {}

    /**
     * What a pruning did.
     *
     * @param blocked one line per group that has channels which cannot be removed, naming the op that blocks them
     * @param unscored anchors of groups the criterion could not score
     */
    public record Result(PruningPlan plan, ModelCount before, ModelCount after, List<String> blocked,
            List<String> unscored, int groups, int prunableGroups) {}

    public static ChannelGraph analyze(Model model, Set<String> ignoredNodes) {
        return new ChannelAnalyzer(ignoredNodes).analyze(model);
    }

    /** Scores, plans and cuts {@code model} in place. */
    public static Result prune(Model model, Importance importance, PlanOptions options, Set<String> ignoredNodes) {
        ModelCount before = ModelCounter.count(model);
        return prune(model, before, prepared(model, ignoredNodes), importance, options);
    }

    /**
     * Scores with a fresh importance of {@code criterion} for the model as it is (gradient criteria compute its
     * gradients now), plans and cuts {@code model} in place.
     */
    public static Result prune(Model model, Criterion criterion, PlanOptions options, Set<String> ignoredNodes)
            throws Exception {
        ModelCount before = ModelCounter.count(model);
        ChannelGraph cg = prepared(model, ignoredNodes);
        return prune(model, before, cg, criterion.importanceFor(model, cg), options);
    }

    private static Result prune(Model model, ModelCount before, ChannelGraph cg, Importance importance,
            PlanOptions options) {
        Planner planner = new Planner(cg, importance);
        Map<Integer, BitSet> removed = planner.select(options);
        PruningPlan plan = PruningPlan.of(cg, removed, importance.name(), options.toString());
        return cut(model, before, cg, removed, plan, planner.unscoredGroups());
    }

    /** Replays a plan on the model it was made for, in place. */
    public static Result replay(Model model, PruningPlan plan, Set<String> ignoredNodes) {
        ModelCount before = ModelCounter.count(model);
        ChannelGraph cg = prepared(model, ignoredNodes);
        return cut(model, before, cg, plan.resolve(cg), plan, List.of());
    }

    /** The analysis of {@code model} after the cleanup pruning needs (applied to the model). */
    private static ChannelGraph prepared(Model model, Set<String> ignoredNodes) {
        Passes.forPruning().apply(model);
        return analyze(model, ignoredNodes);
    }

    private static Result cut(Model model, ModelCount before, ChannelGraph cg, Map<Integer, BitSet> removed,
            PruningPlan plan, List<String> unscored) {
        Surgery.apply(cg, removed, Surgery.Mode.CUT);
        ModelCount after = ModelCounter.count(model);
        return new Result(plan, before, after, blockReport(cg), unscored, cg.groups().size(),
                cg.prunableGroups().size());
    }

    /** One line per group with blocked channels: its anchor and the reasons. */
    public static List<String> blockReport(ChannelGraph cg) {
        List<String> out = new ArrayList<>();
        for (ChannelGroup g : cg.groups()) {
            List<String> reasons = g.blockReasons();
            if (!reasons.isEmpty()) {
                out.add(g.anchor().origin().name() + " (" + (g.unitCount() - g.prunableUnitCount()) + "/"
                        + g.unitCount() + " units fixed): " + String.join("; ", reasons));
            }
        }
        return out;
    }
}

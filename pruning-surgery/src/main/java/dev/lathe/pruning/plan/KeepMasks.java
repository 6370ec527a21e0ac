package dev.lathe.pruning.plan;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.pass.Passes;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ChannelSpace;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A pruning plan from explicit keep masks: for each named Conv (by its weight initializer), which output channels
 * stay. A method that decides channels itself (ISP's hard gate vector) hands its decision to the same planless
 * replay as every other criterion: the plan names the removed channels of each conv's output, and a channel that
 * cannot be removed (a residual add's coupled channel, say) or a mask that would remove a whole layer is an error
 * naming the conv.
 */
public final class KeepMasks {
    private KeepMasks() {}

    /**
     * The plan removing, from each conv whose weight is named in {@code keep}, the output channels whose mask entry
     * is false. The analysis runs on a copy of {@code model} prepared as {@code Pruner.replay} prepares it, so the
     * plan replays on the model as given.
     */
    public static PruningPlan plan(Model model, Map<String, boolean[]> keep, String criterion, String options) {
        Model copy = model.copy();
        Passes.forPruning().apply(copy);
        ChannelGraph cg = new ChannelAnalyzer(Set.of()).analyze(copy);
        Map<Integer, BitSet> removed = new LinkedHashMap<>();
        for (Map.Entry<String, boolean[]> e : keep.entrySet()) {
            Node conv = convOf(copy, e.getKey());
            ChannelSpace space = cg.spaceByOrigin(conv.output(0).name());
            if (space == null) {
                throw new IllegalArgumentException("conv " + conv.name() + " (weight " + e.getKey()
                        + ") carries no channel space of its own in the analysis");
            }
            boolean[] mask = e.getValue();
            if (mask.length != space.size()) {
                throw new IllegalArgumentException("keep mask for " + e.getKey() + " has " + mask.length
                        + " entries, the conv has " + space.size() + " output channels");
            }
            int kept = 0;
            for (int c = 0; c < mask.length; c++) {
                if (mask[c]) {
                    kept++;
                    continue;
                }
                ChannelGroup g = cg.groupAt(space, c);
                int unit = cg.unitAt(space, c);
                if (g.isBlocked(unit)) {
                    throw new IllegalArgumentException("channel " + c + " of conv " + conv.name() + " cannot be removed: "
                            + g.blockedUnits()[unit]);
                }
                removed.computeIfAbsent(g.id(), k -> new BitSet()).set(unit);
            }
            if (kept == 0) {
                throw new IllegalArgumentException("keep mask for " + e.getKey() + " removes every channel; keep at "
                        + "least one");
            }
        }
        return PruningPlan.of(cg, removed, criterion, options);
    }

    private static Node convOf(Model m, String weight) {
        for (Node n : m.graph().nodes()) {
            if (n.opType().equals("Conv") && n.input(1) != null && n.input(1).name().equals(weight)) {
                return n;
            }
        }
        throw new IllegalArgumentException("the model has no Conv with weight " + weight);
    }
}

package dev.lathe.pruning.importance;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * CIC's statistic of a whole model: for every prunable group that Taylor can score, the per-class running sums of
 * its per-batch group Taylor scores. Groups are keyed by their id in the channel graph the batches were scored on,
 * so statistics of the same model analysed the same way (shards on several machines) {@link #merge}.
 */
public record CicStatistics(Map<Integer, ClassScoreStats> byGroup) {

    public CicStatistics {
        byGroup = Collections.unmodifiableMap(new TreeMap<>(byGroup));
    }

    /** No batches yet: the identity of {@link #merge}. */
    public static CicStatistics empty() {
        return new CicStatistics(Map.of());
    }

    /** One batch of class {@code cls}: the group Taylor scores of {@code graph}'s prunable groups. */
    public static CicStatistics of(ChannelGraph graph, int cls, Map<String, Tensor> gradients) {
        TaylorImportance taylor = new TaylorImportance(gradients);
        Map<Integer, ClassScoreStats> out = new TreeMap<>();
        for (ChannelGroup g : graph.prunableGroups()) {
            double[] s = taylor.score(g);
            if (s != null) {
                out.put(g.id(), ClassScoreStats.of(cls, s));
            }
        }
        return new CicStatistics(out);
    }

    /**
     * Folds every batch {@code source} computes at {@code model}'s weights into statistics of {@code graph} (the
     * analysis of {@code model}); each batch's gradients are dropped once scored. With {@code classWise} the batches
     * must be single-class (CIC); without, all count as one class (Taylor averaged over batches).
     */
    public static CicStatistics collect(Model model, ChannelGraph graph, GradientSource source, boolean classWise)
            throws Exception {
        CicStatistics[] acc = {empty()};
        source.forEachBatch(model, classWise,
                batch -> acc[0] = acc[0].merge(of(graph, classOf(batch, classWise), batch.gradients())));
        return acc[0];
    }

    /** The class a batch counts for: its own (which it must have) when class-wise, else the one class 0. */
    static int classOf(GradientSet.Batch batch, boolean classWise) {
        if (!classWise) {
            return 0;
        }
        if (batch.classLabel() < 0) {
            throw new IllegalArgumentException("CIC needs single-class batches; a gradient batch has no class");
        }
        return batch.classLabel();
    }

    /** The statistics of this record's batches and {@code other}'s together. */
    public CicStatistics merge(CicStatistics other) {
        Map<Integer, ClassScoreStats> out = new TreeMap<>(byGroup);
        other.byGroup.forEach((g, s) -> out.merge(g, s, ClassScoreStats::merge));
        return new CicStatistics(out);
    }
}

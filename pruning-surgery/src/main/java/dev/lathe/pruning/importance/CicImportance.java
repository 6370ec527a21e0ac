package dev.lathe.pruning.importance;

import dev.lathe.pruning.graph.ChannelGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * CIC (class importance consistency, SEEDS.md §5.1): group Taylor importance from single-class batches, averaged per
 * class, then {@code S = mean_c(Imp_c) − alpha · std_c(Imp_c)} with the unbiased standard deviation over classes.
 * Channels that matter little on average or only to a few classes score low. {@code alpha = 0} is the class-aware
 * baseline. The per-batch scores are folded into {@link ClassScoreStats} (per-class sums), from which the score is
 * computed.
 */
public final class CicImportance implements Importance {
    /** A group's statistics, or null when Taylor cannot score the group. */
    private final Function<ChannelGroup, ClassScoreStats> stats;
    private final double alpha;
    private final boolean ignoreClasses;

    /** From a kept gradient set: each group is scored batch by batch when the planner asks for it. */
    public CicImportance(GradientSet gradients, double alpha) {
        this.alpha = alpha;
        this.ignoreClasses = false;
        List<Integer> classOfBatch = new ArrayList<>();
        List<TaylorImportance> perBatch = new ArrayList<>();
        for (GradientSet.Batch b : gradients.batches()) {
            classOfBatch.add(CicStatistics.classOf(b, true));
            perBatch.add(new TaylorImportance(b.gradients()));
        }
        this.stats = group -> {
            ClassScoreStats acc = ClassScoreStats.empty();
            for (int i = 0; i < perBatch.size(); i++) {
                double[] s = perBatch.get(i).score(group);
                if (s == null) {
                    return null;
                }
                acc = acc.merge(ClassScoreStats.of(classOfBatch.get(i), s));
            }
            return acc;
        };
    }

    /** From statistics collected on the channel graph whose groups are scored. */
    public CicImportance(CicStatistics statistics, double alpha) {
        this(statistics, alpha, false);
    }

    CicImportance(CicStatistics statistics, double alpha, boolean ignoreClasses) {
        this.stats = g -> statistics.byGroup().get(g.id());
        this.alpha = alpha;
        this.ignoreClasses = ignoreClasses;
    }

    @Override
    public String name() {
        return ignoreClasses ? "taylor" : "cic";
    }

    @Override
    public double[] score(ChannelGroup group) {
        ClassScoreStats s = stats.apply(group);
        return s == null || s.byClass().isEmpty() ? null : s.consistency(alpha);
    }
}

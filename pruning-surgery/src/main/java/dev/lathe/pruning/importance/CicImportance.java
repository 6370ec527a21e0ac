package dev.lathe.pruning.importance;

import dev.lathe.pruning.graph.ChannelGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CIC (class importance consistency, SEEDS.md §5.1): group Taylor importance from single-class batches, averaged per
 * class, then {@code S = mean_c(Imp_c) − alpha · std_c(Imp_c)} with the unbiased standard deviation over classes.
 * Channels that matter little on average or only to a few classes score low. {@code alpha = 0} is the class-aware
 * baseline.
 */
public final class CicImportance implements Importance {
    private final List<Integer> classOfBatch = new ArrayList<>();
    private final List<TaylorImportance> perBatch = new ArrayList<>();
    private final double alpha;
    private final boolean ignoreClasses;

    public CicImportance(GradientSet gradients, double alpha) {
        this(gradients, alpha, false);
    }

    CicImportance(GradientSet gradients, double alpha, boolean ignoreClasses) {
        this.alpha = alpha;
        this.ignoreClasses = ignoreClasses;
        for (GradientSet.Batch b : gradients.batches()) {
            if (!ignoreClasses && b.classLabel() < 0) {
                throw new IllegalArgumentException("CIC needs single-class batches; a gradient batch has no class");
            }
            classOfBatch.add(ignoreClasses ? 0 : b.classLabel());
            perBatch.add(new TaylorImportance(b.gradients()));
        }
    }

    @Override
    public String name() {
        return ignoreClasses ? "taylor" : "cic";
    }

    @Override
    public double[] score(ChannelGroup group) {
        Map<Integer, double[]> sumByClass = new LinkedHashMap<>();
        Map<Integer, Integer> batchesByClass = new LinkedHashMap<>();
        for (int i = 0; i < perBatch.size(); i++) {
            double[] s = perBatch.get(i).score(group);
            if (s == null) {
                return null;
            }
            int c = classOfBatch.get(i);
            double[] acc = sumByClass.computeIfAbsent(c, k -> new double[s.length]);
            for (int u = 0; u < s.length; u++) {
                acc[u] += s[u];
            }
            batchesByClass.merge(c, 1, Integer::sum);
        }
        int units = group.unitCount();
        int classes = sumByClass.size();
        double[] mean = new double[units];
        double[][] perClass = new double[classes][];
        int k = 0;
        for (Map.Entry<Integer, double[]> e : sumByClass.entrySet()) {
            double[] imp = e.getValue().clone();
            int n = batchesByClass.get(e.getKey());
            for (int u = 0; u < units; u++) {
                imp[u] /= n;
                mean[u] += imp[u] / classes;
            }
            perClass[k++] = imp;
        }
        if (alpha == 0 || classes < 2) {
            return mean;
        }
        double[] out = new double[units];
        for (int u = 0; u < units; u++) {
            double ss = 0;
            for (double[] imp : perClass) {
                double d = imp[u] - mean[u];
                ss += d * d;
            }
            out[u] = mean[u] - alpha * Math.sqrt(ss / (classes - 1));
        }
        return out;
    }
}

package dev.lathe.pruning.importance;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Per-class running statistics of one group's per-unit scores: for each class the number of batches and the sum and
 * sum of squares of each unit's score, in double. Statistics of disjoint batches (shards, machines) {@link #merge}
 * into the statistics of all of them, so nothing per batch has to be kept.
 *
 * @param byClass the sums of each class label, in label order
 */
public record ClassScoreStats(SortedMap<Integer, ClassScoreStats.Sums> byClass) {

    /** One class: its batch count, Σ score and Σ score² per unit. */
    public record Sums(long count, double[] sum, double[] sumSquares) {
        public Sums {
            if (sum.length != sumSquares.length) {
                throw new IllegalArgumentException("sum has " + sum.length + " units, sum of squares "
                        + sumSquares.length);
            }
        }

        Sums merge(Sums other) {
            if (other.sum.length != sum.length) {
                throw new IllegalArgumentException("cannot merge statistics of " + sum.length + " and "
                        + other.sum.length + " units");
            }
            double[] s = sum.clone();
            double[] q = sumSquares.clone();
            for (int u = 0; u < s.length; u++) {
                s[u] += other.sum[u];
                q[u] += other.sumSquares[u];
            }
            return new Sums(count + other.count, s, q);
        }

        /** The mean score of each unit over this class's batches. */
        public double[] mean() {
            double[] m = sum.clone();
            for (int u = 0; u < m.length; u++) {
                m[u] /= count;
            }
            return m;
        }
    }

    public ClassScoreStats {
        byClass = Collections.unmodifiableSortedMap(new TreeMap<>(byClass));
    }

    /** No batches yet: the identity of {@link #merge}. */
    public static ClassScoreStats empty() {
        return new ClassScoreStats(new TreeMap<>());
    }

    /** The statistics of one batch of class {@code cls} whose units scored {@code scores}. */
    public static ClassScoreStats of(int cls, double[] scores) {
        double[] sq = new double[scores.length];
        for (int u = 0; u < sq.length; u++) {
            sq[u] = scores[u] * scores[u];
        }
        return new ClassScoreStats(new TreeMap<>(Map.of(cls, new Sums(1, scores.clone(), sq))));
    }

    /** The statistics of this record's batches and {@code other}'s together. */
    public ClassScoreStats merge(ClassScoreStats other) {
        TreeMap<Integer, Sums> out = new TreeMap<>(byClass);
        other.byClass.forEach((c, s) -> out.merge(c, s, Sums::merge));
        return new ClassScoreStats(out);
    }

    /**
     * CIC's score (SEEDS §5.1): {@code mean_c(Imp_c) − alpha · std_c(Imp_c)} over the per-class mean scores
     * {@code Imp_c}, with the unbiased standard deviation over classes; with {@code alpha = 0} or a single class, the
     * mean over classes.
     */
    public double[] consistency(double alpha) {
        int classes = byClass.size();
        if (classes == 0) {
            throw new IllegalStateException("no batches were scored");
        }
        double[][] perClass = new double[classes][];
        int k = 0;
        for (Sums s : byClass.values()) {
            perClass[k++] = s.mean();
        }
        int units = perClass[0].length;
        double[] mean = new double[units];
        for (double[] imp : perClass) {
            for (int u = 0; u < units; u++) {
                mean[u] += imp[u] / classes;
            }
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

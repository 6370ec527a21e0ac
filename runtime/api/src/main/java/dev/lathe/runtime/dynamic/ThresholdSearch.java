package dev.lathe.runtime.dynamic;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses exit thresholds under a MACs budget: every combination of the per-stage candidate lists is evaluated
 * (the authors' own sweep is such a grid, e.g. tau_0, tau_1 over 0.05 steps with tau_2 = tau_3 = 0.9, tau_4 = 0) and
 * the most accurate one whose average MACs stay within the budget wins; ties go to the cheaper one.
 */
public final class ThresholdSearch {
    private ThresholdSearch() {}

    /**
     * Every combination of the candidates for stages 0..S-2 (the last stage keeps everyone, so its threshold is 0),
     * each evaluated as {@link EarlyExit#evaluate} would. The grid is walked as a tree: the images still running after
     * stages 0..j are filtered once per prefix and shared by every setting that starts with it, so a setting costs
     * about the images that reach its last free stage rather than the whole table.
     */
    public static List<ExitResult> sweep(ExitTable table, StageCosts costs, List<double[]> candidates) {
        int s = candidates.size() + 1;
        if (s > table.stages()) {
            throw new IllegalArgumentException(s + " stages for a table of " + table.stages() + " stages; give at most "
                    + (table.stages() - 1) + " candidate lists");
        }
        if (costs.stages() < s) {
            throw new IllegalArgumentException(s + " stages but costs for only " + costs.stages());
        }
        for (int j = 0; j < candidates.size(); j++) {
            if (candidates.get(j).length == 0) {
                throw new IllegalArgumentException("stage " + j + " has no candidate thresholds");
            }
        }
        int n = table.images();
        int[][] alive = new int[s][];
        alive[0] = new int[n];
        for (int i = 0; i < n; i++) {
            alive[0][i] = i;
        }
        for (int j = 1; j < s; j++) {
            alive[j] = new int[n];
        }
        List<ExitResult> out = new ArrayList<>();
        walk(table, costs, candidates, alive, n, 0, 0, new double[s], new long[s], out);
        return out;
    }

    private static void walk(ExitTable table, StageCosts costs, List<double[]> candidates, int[][] alive, int count,
            int stage, long right, double[] tau, long[] exits, List<ExitResult> out) {
        int s = tau.length;
        int[] here = alive[stage];
        if (stage == s - 1) {
            long r = right;
            for (int k = 0; k < count; k++) {
                if (table.correct(here[k], stage)) {
                    r++;
                }
            }
            exits[stage] = count;
            double macs = 0;
            for (int j = 0; j < s; j++) {
                macs += exits[j] * costs.macs(j);
            }
            tau[stage] = 0;
            out.add(new ExitResult(tau.clone(), (double) r / table.images(), macs / table.images(), exits.clone()));
            return;
        }
        int[] next = alive[stage + 1];
        for (double t : candidates.get(stage)) {
            float f = (float) t; // as EarlyExit: PyTorch compares the float32 table with tau rounded to float32
            int kept = 0;
            long r = right;
            for (int k = 0; k < count; k++) {
                int i = here[k];
                if (table.confidence(i, stage) > f) {
                    if (table.correct(i, stage)) {
                        r++;
                    }
                } else {
                    next[kept++] = i;
                }
            }
            tau[stage] = t;
            exits[stage] = count - kept;
            walk(table, costs, candidates, alive, kept, stage + 1, r, tau, exits, out);
        }
    }

    /** The best setting within {@code budgetMacs}, or null if no combination fits. */
    public static ExitResult best(ExitTable table, StageCosts costs, List<double[]> candidates, double budgetMacs) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no stages to search");
        }
        for (int j = 0; j < candidates.size(); j++) {
            if (candidates.get(j).length == 0) {
                throw new IllegalArgumentException("stage " + j + " has no candidate thresholds");
            }
        }
        int s = candidates.size();
        int[] pick = new int[s];
        double[] tau = new double[s];
        ExitResult best = null;
        while (true) {
            for (int j = 0; j < s; j++) {
                tau[j] = candidates.get(j)[pick[j]];
            }
            ExitResult r = EarlyExit.evaluate(table, tau, costs);
            if (r.averageMacs() <= budgetMacs && (best == null || r.accuracy() > best.accuracy()
                    || (r.accuracy() == best.accuracy() && r.averageMacs() < best.averageMacs()))) {
                best = r;
            }
            int j = s - 1;
            while (j >= 0 && ++pick[j] == candidates.get(j).length) {
                pick[j] = 0;
                j--;
            }
            if (j < 0) {
                return best;
            }
        }
    }
}

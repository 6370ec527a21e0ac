package dev.lathe.runtime.dynamic;

import java.util.List;

/**
 * Chooses exit thresholds under a MACs budget: every combination of the per-stage candidate lists is evaluated
 * (the authors' own sweep is such a grid, e.g. tau_0, tau_1 over 0.05 steps with tau_2 = tau_3 = 0.9, tau_4 = 0) and
 * the most accurate one whose average MACs stay within the budget wins; ties go to the cheaper one.
 */
public final class ThresholdSearch {
    private ThresholdSearch() {}

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

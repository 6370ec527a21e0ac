package dev.lathe.runtime.dynamic;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The settings no other setting beats on both axes: higher accuracy at no more average MACs. Sorted by MACs (and
 * so by accuracy, which rises along the front); of settings with equal cost and accuracy the first one given is kept.
 */
public final class ParetoFront {
    private ParetoFront() {}

    public static List<ExitResult> of(List<ExitResult> results) {
        List<ExitResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble(ExitResult::averageMacs)
                .thenComparing(Comparator.comparingDouble(ExitResult::accuracy).reversed()));
        List<ExitResult> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (ExitResult r : sorted) {
            if (r.accuracy() > best) {
                front.add(r);
                best = r.accuracy();
            }
        }
        return front;
    }

    /** The most accurate point of a front within {@code budgetMacs}, or null if even the cheapest costs more. */
    public static ExitResult withinBudget(List<ExitResult> front, double budgetMacs) {
        ExitResult best = null;
        for (ExitResult r : front) {
            if (r.averageMacs() <= budgetMacs && (best == null || r.accuracy() > best.accuracy())) {
                best = r;
            }
        }
        return best;
    }

    /** The cheapest point of a front reaching {@code minAccuracy}, or null if none does. */
    public static ExitResult reaching(List<ExitResult> front, double minAccuracy) {
        ExitResult best = null;
        for (ExitResult r : front) {
            if (r.accuracy() >= minAccuracy && (best == null || r.averageMacs() < best.averageMacs())) {
                best = r;
            }
        }
        return best;
    }
}

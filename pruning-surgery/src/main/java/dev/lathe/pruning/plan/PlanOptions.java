package dev.lathe.pruning.plan;

/**
 * How much to remove and how to choose it.
 *
 * @param ratio fraction of each group's channels to remove (local), or of all prunable channels (global); ignored
 *     when {@code targetMacs} or {@code targetParams} is set
 * @param targetMacs when positive, the fraction of the model's MACs to keep; the channel ratio is searched for
 * @param targetParams when positive, the fraction of the model's parameters to keep; the channel ratio is searched
 *     for
 * @param global rank units of all groups together instead of each group on its own
 * @param roundTo keep channel counts (of each group's anchor) at multiples of this; 1 for no rounding
 * @param maxRatio at most this fraction of any channel space is removed
 */
public record PlanOptions(double ratio, double targetMacs, double targetParams, boolean global, int roundTo,
        double maxRatio) {
    public PlanOptions {
        if (!(ratio >= 0 && ratio < 1)) { // also refuses NaN, which every comparison lets through
            throw new IllegalArgumentException("channel ratio must be in [0, 1), got " + ratio);
        }
        if (!(targetMacs >= 0 && targetMacs <= 1)) {
            throw new IllegalArgumentException("MACs target must be in (0, 1], got " + targetMacs);
        }
        if (!(targetParams >= 0 && targetParams <= 1)) {
            throw new IllegalArgumentException("params target must be in (0, 1], got " + targetParams);
        }
        if (targetMacs > 0 && targetParams > 0) {
            throw new IllegalArgumentException("give a MACs target or a params target, not both");
        }
        if (roundTo < 1) {
            throw new IllegalArgumentException("round-to must be >= 1, got " + roundTo);
        }
        if (!(maxRatio > 0 && maxRatio <= 1)) {
            throw new IllegalArgumentException("max ratio must be in (0, 1], got " + maxRatio);
        }
    }

    public static PlanOptions ratio(double r) {
        return new PlanOptions(r, 0, 0, false, 1, 1.0);
    }

    public PlanOptions withGlobal(boolean g) {
        return new PlanOptions(ratio, targetMacs, targetParams, g, roundTo, maxRatio);
    }

    public PlanOptions withRoundTo(int n) {
        return new PlanOptions(ratio, targetMacs, targetParams, global, n, maxRatio);
    }

    public PlanOptions withTargetMacs(double f) {
        return new PlanOptions(ratio, f, 0, global, roundTo, maxRatio);
    }

    public PlanOptions withTargetParams(double f) {
        return new PlanOptions(ratio, 0, f, global, roundTo, maxRatio);
    }

    public PlanOptions withRatio(double r) {
        return new PlanOptions(r, targetMacs, targetParams, global, roundTo, maxRatio);
    }

    public PlanOptions withMaxRatio(double m) {
        return new PlanOptions(ratio, targetMacs, targetParams, global, roundTo, m);
    }
}

package dev.lathe.calibration.method;

/**
 * The range a tensor is quantized over. Symmetric ranges have {@code min == -max} (the threshold is {@code max}) and
 * map to zero point 0; asymmetric ones keep the observed sides.
 */
public record CalibrationRange(double min, double max, boolean symmetric) {
    public CalibrationRange {
        if (!(min <= max) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("calibration range needs finite min <= max, got [" + min + ", " + max
                    + "]");
        }
    }

    static CalibrationRange symmetric(double threshold) {
        return new CalibrationRange(-threshold, threshold, true);
    }

    /** Whether every value in [lo, hi] lies inside this range. */
    public boolean covers(double lo, double hi) {
        return min <= lo && hi <= max;
    }

    /**
     * A symmetric range of a tensor that was never negative, as [0, max]: the same threshold for a symmetric int8
     * target, and no codes spent below zero for uint8. Other ranges are returned as they are.
     */
    public CalibrationRange nonNegative(double observedMin) {
        return symmetric && observedMin >= 0 ? new CalibrationRange(0, max, false) : this;
    }
}

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
}

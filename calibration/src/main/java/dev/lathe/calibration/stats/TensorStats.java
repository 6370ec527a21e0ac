package dev.lathe.calibration.stats;

/**
 * Streaming statistics of one tensor's values: how many, min, max, and a {@link Histogram}. Memory is the histogram's
 * bins, whatever the number of samples. {@link #merge} is associative and exact (counts and extremes add and compare
 * exactly), so statistics of shards merge into those of one pass.
 *
 * @param count finite values seen
 * @param min smallest value (+∞ when none)
 * @param max largest value (-∞ when none)
 */
public record TensorStats(long count, double min, double max, Histogram histogram) {
    /**
     * TensorRT's calibrator starts with 2048 bins over the first batch's absolute range; later batches beyond it add
     * whole bins of the same width.
     */
    public static final int INITIAL_BINS = 2048;

    public static TensorStats empty() {
        return new TensorStats(0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Histogram.zeros(0));
    }

    /**
     * Statistics of one batch. {@code width} is the bin width to use (that of the statistics this batch will merge
     * into), or 0 to choose one: the batch's largest absolute value over {@link #INITIAL_BINS}. Non-finite values
     * are refused: a NaN or infinite activation means the model or the data is broken.
     */
    public static TensorStats of(float[] values, double width) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("a non-finite value (" + v + "); calibration needs finite"
                        + " activations");
            }
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double maxAbs = values.length == 0 ? 0 : Math.max(-lo, hi);
        double w = width > 0 ? width : maxAbs / INITIAL_BINS;
        Histogram h = w > 0 ? Histogram.of(values, w, (float) lo, (float) hi) : Histogram.zeros(values.length);
        return new TensorStats(values.length, lo, hi, h);
    }

    public TensorStats merge(TensorStats other) {
        return new TensorStats(count + other.count, Math.min(min, other.min), Math.max(max, other.max),
                histogram.merge(other.histogram));
    }

    /** Largest absolute value seen (0 when none). */
    public double maxAbs() {
        return count == 0 ? 0 : Math.max(-min, max);
    }
}

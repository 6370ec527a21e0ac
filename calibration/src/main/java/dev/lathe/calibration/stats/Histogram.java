package dev.lathe.calibration.stats;

import java.util.Arrays;

/**
 * Counts of values in fixed-width bins anchored at zero: bin {@code k} holds the values in {@code [k·width,
 * (k+1)·width)}, and the histogram stores the bins {@code offset .. offset+counts.length-1}. Because edges are whole
 * multiples of the width, two histograms of one width merge by adding counts after aligning their offsets: the range
 * grows by whole bins (TensorRT's calibrator behaviour) and the result is exactly that of one pass over both inputs.
 *
 * <p>A width of 0 means every value seen was exactly 0 (there was no scale to choose a width from); such a histogram
 * merges into any other as a count in bin 0. Instances are immutable.
 */
public final class Histogram {
    /**
     * 4M bins (32 MB) per tensor: a range that must grow this far means a batch reached thousands of times beyond
     * the first one's, which is a broken input rather than a distribution worth keeping at the first batch's width.
     */
    public static final int MAX_BINS = 1 << 22;

    private final double width;
    private final long offset;
    private final long[] counts;

    private Histogram(double width, long offset, long[] counts) {
        this.width = width;
        this.offset = offset;
        this.counts = counts;
    }

    /** The histogram of {@code values} with bins of {@code width} (> 0). NaN values are not counted. */
    public static Histogram of(float[] values, double width) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            if (!Float.isNaN(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return of(values, width, lo, hi);
    }

    /**
     * The histogram of {@code values}, whose smallest and largest non-NaN values the caller already knows (one pass
     * over the data instead of two: bins are monotonic in the value).
     */
    static Histogram of(float[] values, double width, float min, float max) {
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException("histogram bin width must be a finite number > 0, got " + width);
        }
        if (!(min <= max)) {
            return new Histogram(width, 0, new long[0]);
        }
        long lo = bin(min, width);
        long[] c = new long[checkedBins(bin(max, width) - lo + 1, width)];
        for (float v : values) {
            if (!Float.isNaN(v)) {
                c[(int) (bin(v, width) - lo)]++;
            }
        }
        return new Histogram(width, lo, c);
    }

    /** {@code n} values, all exactly zero, before any width is known. */
    public static Histogram zeros(long n) {
        return new Histogram(0, 0, n == 0 ? new long[0] : new long[] {n});
    }

    private static int checkedBins(long bins, double width) {
        if (bins > MAX_BINS) {
            throw new IllegalArgumentException("values span " + bins + " bins of width " + width + ", more than "
                    + MAX_BINS + ": a batch reaches far beyond the range of the first one (the first batch sets the"
                    + " bin width)");
        }
        return (int) bins;
    }

    private static long bin(float v, double width) {
        return (long) Math.floor(v / width);
    }

    /** Bin width; 0 when every value so far was zero. */
    public double width() {
        return width;
    }

    /** Index of the first stored bin (its lower edge is {@code offset·width}). */
    public long offset() {
        return offset;
    }

    public int bins() {
        return counts.length;
    }

    /** Count of stored bin {@code i} (global bin {@code offset + i}). */
    public long count(int i) {
        return counts[i];
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /**
     * The sum of both histograms. Widths must match (or one be 0, all zeros); shards that are to be merged share the
     * width of the first shard (see {@link StatsCollector}).
     */
    public Histogram merge(Histogram other) {
        if (width == 0 && other.width == 0) {
            return zeros(total() + other.total());
        }
        if (width == 0) {
            return other.merge(this);
        }
        if (other.width == 0) {
            return other.total() == 0 ? this : merge(new Histogram(width, 0, new long[] {other.total()}));
        }
        if (width != other.width) {
            throw new IllegalArgumentException("cannot merge histograms of bin widths " + width + " and "
                    + other.width + "; calibrate every shard with the first shard's bin widths");
        }
        if (counts.length == 0) {
            return other;
        }
        if (other.counts.length == 0) {
            return this;
        }
        long lo = Math.min(offset, other.offset);
        long hi = Math.max(offset + counts.length, other.offset + other.counts.length);
        long[] c = new long[checkedBins(hi - lo, width)];
        for (int i = 0; i < counts.length; i++) {
            c[(int) (offset - lo) + i] += counts[i];
        }
        for (int i = 0; i < other.counts.length; i++) {
            c[(int) (other.offset - lo) + i] += other.counts[i];
        }
        return new Histogram(width, lo, c);
    }

    /**
     * The histogram of absolute values over {@code [0, bins·width)}: bin {@code j} holds {@code |v|} in {@code
     * [j·width, (j+1)·width)}. Negative bin {@code -j-1} folds onto bin {@code j} (so a value of exactly
     * {@code -j·width} lands one bin lower than its absolute value would; the edge is measure-zero in practice).
     */
    public long[] absoluteCounts() {
        long last = Math.max(offset + counts.length - 1, -offset - 1);
        long[] abs = new long[(int) Math.max(0, last + 1)];
        for (int i = 0; i < counts.length; i++) {
            long k = offset + i;
            abs[(int) (k >= 0 ? k : -k - 1)] += counts[i];
        }
        return abs;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && h.width == width && h.offset == offset && Arrays.equals(h.counts, counts);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(width) * 31 * 31 + Long.hashCode(offset) * 31 + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "Histogram[width=" + width + ", bins " + offset + ".." + (offset + counts.length - 1) + ", total "
                + total() + "]";
    }
}

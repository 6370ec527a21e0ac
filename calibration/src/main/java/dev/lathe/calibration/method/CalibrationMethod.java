package dev.lathe.calibration.method;

import dev.lathe.calibration.stats.Histogram;
import dev.lathe.calibration.stats.TensorStats;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a tensor's range is chosen from its {@link TensorStats}. {@code minmax} and {@code percentile} give symmetric or
 * asymmetric ranges; {@code entropy} and {@code mse} search a symmetric threshold over the absolute-value histogram
 * (the form TensorRT's INT8 takes). Thresholds other than minmax fall on histogram bin edges, and no range reaches
 * beyond the values actually seen.
 */
public enum CalibrationMethod {
    MINMAX, PERCENTILE, ENTROPY, MSE;

    /** ORT's default percentile. */
    public static final double DEFAULT_PERCENTILE = 99.999;
    /** Signed 8-bit quantization has 128 levels on each side of zero (TensorRT's entropy calibration). */
    static final int QUANTIZED_BINS = 128;
    private static final int INT8_MAX = 127;

    /** The method named {@code s} (case-insensitive), or an IllegalArgumentException listing the names. */
    public static CalibrationMethod parse(String s) {
        for (CalibrationMethod m : values()) {
            if (m.label().equals(s.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown calibration method '" + s + "' (minmax, percentile, entropy, mse)");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the method only gives symmetric ranges. */
    public boolean alwaysSymmetric() {
        return this == ENTROPY || this == MSE;
    }

    /**
     * The range for {@code s}. {@code percentile} is used by {@link #PERCENTILE} only; {@code symmetric} by
     * {@link #MINMAX} and {@link #PERCENTILE} (the others are always symmetric).
     */
    public CalibrationRange range(TensorStats s, double percentile, boolean symmetric) {
        if (s.count() == 0) {
            throw new IllegalArgumentException("no values were collected; calibration needs at least one sample");
        }
        if (s.histogram().width() == 0) { // every value was zero: any method gives the empty range at 0
            return new CalibrationRange(0, 0, symmetric || alwaysSymmetric());
        }
        return switch (this) {
            case MINMAX -> symmetric ? CalibrationRange.symmetric(s.maxAbs())
                    : new CalibrationRange(s.min(), s.max(), false);
            case PERCENTILE -> percentile(s, percentile, symmetric);
            case ENTROPY -> symmetricBins(s, entropyBins(s.histogram().absoluteCounts()));
            case MSE -> symmetricBins(s, mseBins(s.histogram().absoluteCounts()));
        };
    }

    private static CalibrationRange symmetricBins(TensorStats s, int bins) {
        return CalibrationRange.symmetric(Math.min(s.maxAbs(), bins * s.histogram().width()));
    }

    /**
     * ORT's percentile calibration: the symmetric form takes the absolute-value histogram's cumulative distribution
     * and the first bin reaching {@code p}; the asymmetric form cuts {@code (100-p)/2} percent from each side of the
     * signed histogram. ORT returns that bin's lower edge; Lathe returns the edge on the far side of the bin, so at
     * least {@code p} percent of the values lie inside the range.
     */
    private static CalibrationRange percentile(TensorStats s, double p, boolean symmetric) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        Histogram h = s.histogram();
        double w = h.width();
        if (symmetric) {
            long[] abs = h.absoluteCounts();
            int j = firstReaching(abs, s.count(), p / 100);
            return CalibrationRange.symmetric(Math.min(s.maxAbs(), (j + 1) * w));
        }
        long[] signed = new long[h.bins()];
        Arrays.setAll(signed, h::count);
        double cut = (100 - p) / 200;
        int left = firstReaching(signed, s.count(), cut);
        int right = firstReaching(signed, s.count(), 1 - cut);
        return new CalibrationRange(Math.max(s.min(), (h.offset() + left) * w),
                Math.min(s.max(), (h.offset() + right + 1) * w), false);
    }

    private static int firstReaching(long[] counts, long total, double fraction) {
        long cumulative = 0;
        for (int j = 0; j < counts.length; j++) {
            cumulative += counts[j];
            if ((double) cumulative / total >= fraction) {
                return j;
            }
        }
        return counts.length - 1;
    }

    /**
     * TensorRT's entropy calibration (as in NVIDIA's pytorch-quantization reference): for every candidate threshold
     * of {@code i} absolute-value bins, {@code i} from 128 to all bins, the reference distribution P is bins
     * {@code [0, i)} with the outliers beyond folded into the last one, and Q is P quantized to 128 levels (each
     * level's count spread evenly over its non-empty bins, empty bins stay empty). Returns the number of bins below
     * the threshold minimising KL(P‖Q), the largest on ties. Bin 0 is replaced by bin 1 first, as the reference does, so a spike of
     * exact zeros (ReLU outputs) does not dominate P.
     */
    static int entropyBins(long[] absoluteCounts) {
        double[] bins = Arrays.stream(absoluteCounts).asDoubleStream().toArray();
        int n = bins.length;
        if (n <= QUANTIZED_BINS) {
            return n;
        }
        bins[0] = bins[1];
        double[] beyond = new double[n + 1]; // beyond[i] = sum of bins[i..n)
        for (int i = n - 1; i >= 0; i--) {
            beyond[i] = beyond[i + 1] + bins[i];
        }
        double[] levelSum = new double[QUANTIZED_BINS];
        int[] levelNonEmpty = new int[QUANTIZED_BINS];
        double best = Double.POSITIVE_INFINITY;
        int bestI = n;
        for (int i = QUANTIZED_BINS; i <= n; i++) {
            Arrays.fill(levelSum, 0);
            Arrays.fill(levelNonEmpty, 0);
            for (int j = 0; j < i; j++) {
                if (bins[j] != 0) {
                    int level = (int) ((long) j * QUANTIZED_BINS / i);
                    levelSum[level] += bins[j];
                    levelNonEmpty[level]++;
                }
            }
            double pTotal = beyond[0];
            double qTotal = 0;
            for (int j = 0; j < i; j++) {
                if (bins[j] != 0) {
                    int level = (int) ((long) j * QUANTIZED_BINS / i);
                    qTotal += levelSum[level] / levelNonEmpty[level];
                }
            }
            double kl = 0;
            for (int j = 0; j < i; j++) {
                double p = bins[j] + (j == i - 1 ? beyond[i] : 0);
                if (p == 0) {
                    continue;
                }
                double q = 0;
                if (bins[j] != 0) {
                    int level = (int) ((long) j * QUANTIZED_BINS / i);
                    q = levelSum[level] / levelNonEmpty[level];
                }
                if (q == 0) {
                    kl = Double.POSITIVE_INFINITY;
                    break;
                }
                double pn = p / pTotal;
                kl += pn * Math.log(pn / (q / qTotal));
            }
            if (kl <= best) {
                best = kl;
                bestI = i;
            }
        }
        return bestI;
    }

    /**
     * The symmetric 8-bit threshold with the least quantization error over the histogram: every bin edge {@code i·w}
     * is a candidate; each bin's values are represented by its centre, quantized with scale {@code T/127} (round half
     * to even, saturating at 127 as QuantizeLinear does). Returns the number of bins below the best threshold (in bin
     * widths the error only scales, so the search runs in units of one bin); the smallest wins ties.
     */
    static int mseBins(long[] abs) {
        double best = Double.POSITIVE_INFINITY;
        int bestI = abs.length;
        for (int i = 1; i <= abs.length; i++) {
            double scale = (double) i / INT8_MAX;
            double err = 0;
            for (int j = 0; j < abs.length; j++) {
                if (abs[j] != 0) {
                    double c = j + 0.5;
                    double d = c - Math.min(Math.rint(c / scale), INT8_MAX) * scale;
                    err += d * d * abs[j];
                }
            }
            if (err < best) {
                best = err;
                bestI = i;
            }
        }
        return bestI;
    }
}

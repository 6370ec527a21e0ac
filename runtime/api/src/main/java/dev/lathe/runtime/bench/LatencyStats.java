package dev.lathe.runtime.bench;

import java.util.Arrays;

/**
 * Summary of per-run latencies in milliseconds. Percentiles use the nearest-rank method (the smallest sample with
 * at least p% of samples at or below it); the median averages the two middle samples of an even count.
 */
public record LatencyStats(double meanMs, double medianMs, double minMs, double maxMs, double p90Ms, double p95Ms,
                           double p99Ms) {

    public static LatencyStats ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no latency samples");
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        double sum = 0;
        for (long v : s) {
            sum += v;
        }
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + (double) s[n / 2]) / 2;
        return new LatencyStats(ms(sum / n), ms(median), ms(s[0]), ms(s[n - 1]), ms(percentile(s, 90)),
                ms(percentile(s, 95)), ms(percentile(s, 99)));
    }

    /** Nearest rank on sorted samples. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    private static double ms(double nanos) {
        return nanos / 1e6;
    }
}

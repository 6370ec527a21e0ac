package dev.lathe.runtime.bench;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * trtexec's method on any {@link Session}: warm up for a time (and a few runs), then run back to back until both a
 * minimum iteration count and a minimum duration are reached, timing each run on the host. The same code measures
 * every runtime, so their numbers compare.
 */
public final class InferenceBenchmark {
    private final BenchmarkConfig config;
    private final LongSupplier nanoClock;

    public InferenceBenchmark(BenchmarkConfig config) {
        this(config, System::nanoTime);
    }

    /** With an injected clock, so tests can check the stopping rules and statistics exactly. */
    InferenceBenchmark(BenchmarkConfig config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
    }

    /**
     * @param model a name for the report
     * @param batch items per run, for throughput
     */
    public BenchmarkResult run(Session session, Map<String, HostTensor> inputs, int batch, String model) {
        long warmStart = nanoClock.getAsLong();
        long warmupNanos = config.warmupMillis() * 1_000_000L;
        int warmupRuns = 0;
        while (warmupRuns < config.warmupRuns() || nanoClock.getAsLong() - warmStart < warmupNanos) {
            runOnce(session, inputs);
            warmupRuns++;
        }
        long warmEnd = nanoClock.getAsLong();

        long minNanos = config.minDurationMillis() * 1_000_000L;
        long[] samples = new long[Math.max(16, config.minIterations())];
        int n = 0;
        long start = nanoClock.getAsLong();
        long end = start;
        while (n < config.minIterations() || end - start < minNanos) {
            long t0 = nanoClock.getAsLong();
            runOnce(session, inputs);
            end = nanoClock.getAsLong();
            if (n == samples.length) {
                samples = Arrays.copyOf(samples, samples.length * 2);
            }
            samples[n++] = end - t0;
        }
        LatencyStats stats = LatencyStats.ofNanos(Arrays.copyOf(samples, n));
        double wall = (end - start) / 1e9;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        inputs.forEach((k, v) -> shapes.put(k, v.shape()));
        return new BenchmarkResult(session.runtimeName(), model, batch, shapes, warmupRuns, (warmEnd - warmStart) / 1e6,
                n, wall, stats.meanMs(), stats.medianMs(), stats.minMs(), stats.maxMs(), stats.p90Ms(),
                stats.p95Ms(), stats.p99Ms(), wall > 0 ? (double) batch * n / wall : Double.POSITIVE_INFINITY);
    }

    private static void runOnce(Session session, Map<String, HostTensor> inputs) {
        try (Outputs out = session.run(inputs)) {
            // closing hands the output buffers back, as a serving loop that consumed them would
            out.size();
        }
    }
}

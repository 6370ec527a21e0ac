package dev.lathe.runtime.bench;

/**
 * How long to warm up and to measure, after trtexec's defaults: {@code --warmUp=200} ms, {@code --iterations=10},
 * {@code --duration=3} s.
 *
 * @param warmupMillis warm-up lasts at least this long...
 * @param warmupRuns ...and at least this many runs, so first-call costs (JIT compilation of the Java path, the
 *     runtime's lazy allocations) land before measuring even for a model slower than the warm-up time
 * @param minIterations measure at least this many runs...
 * @param minDurationMillis ...and for at least this long
 */
public record BenchmarkConfig(long warmupMillis, int warmupRuns, int minIterations, long minDurationMillis) {

    public BenchmarkConfig {
        if (warmupMillis < 0 || warmupRuns < 0 || minIterations < 1 || minDurationMillis < 0) {
            throw new IllegalArgumentException("benchmark needs warm-up >= 0 ms and >= 0 runs, >= 1 iteration and"
                    + " duration >= 0 ms; got warmup=" + warmupMillis + " ms/" + warmupRuns + " runs, iterations="
                    + minIterations + ", duration=" + minDurationMillis + " ms");
        }
    }

    public static BenchmarkConfig defaults() {
        return new BenchmarkConfig(200, 5, 10, 3000);
    }

    public BenchmarkConfig withWarmupMillis(long ms) {
        return new BenchmarkConfig(ms, warmupRuns, minIterations, minDurationMillis);
    }

    public BenchmarkConfig withMinIterations(int n) {
        return new BenchmarkConfig(warmupMillis, warmupRuns, n, minDurationMillis);
    }

    public BenchmarkConfig withMinDurationMillis(long ms) {
        return new BenchmarkConfig(warmupMillis, warmupRuns, minIterations, ms);
    }
}

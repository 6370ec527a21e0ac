package dev.lathe.runtime.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One benchmark's outcome. Latencies are host latencies: from handing inputs to the session until the outputs are
 * readable in host memory and handed back, so on a GPU they include both copies (trtexec's "Host Latency").
 * Throughput is {@code batch * iterations / wall time} of the measured phase.
 */
@JsonPropertyOrder({"runtime", "model", "batch", "inputs", "warmup_runs", "warmup_ms", "iterations", "wall_s",
        "mean_ms", "median_ms", "min_ms", "max_ms", "p90_ms", "p95_ms", "p99_ms", "throughput"})
public record BenchmarkResult(
        @JsonProperty("runtime") String runtime,
        @JsonProperty("model") String model,
        @JsonProperty("batch") int batch,
        @JsonProperty("inputs") Map<String, long[]> inputShapes,
        @JsonProperty("warmup_runs") int warmupRuns,
        @JsonProperty("warmup_ms") double warmupMs,
        @JsonProperty("iterations") int iterations,
        @JsonProperty("wall_s") double wallSeconds,
        @JsonProperty("mean_ms") double meanMs,
        @JsonProperty("median_ms") double medianMs,
        @JsonProperty("min_ms") double minMs,
        @JsonProperty("max_ms") double maxMs,
        @JsonProperty("p90_ms") double p90Ms,
        @JsonProperty("p95_ms") double p95Ms,
        @JsonProperty("p99_ms") double p99Ms,
        @JsonProperty("throughput") double throughput) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BenchmarkResult fromJson(String json) {
        try {
            return JSON.readValue(json, BenchmarkResult.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A few lines in trtexec's vocabulary, for people. */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "runtime %s, batch %d, %d iterations in %.3f s (warm-up %d runs, %.0f ms)%n"
                        + "Throughput: %.2f items/s%n"
                        + "Host latency: min = %.4f ms, max = %.4f ms, mean = %.4f ms, median = %.4f ms,"
                        + " percentile(90%%) = %.4f ms, percentile(95%%) = %.4f ms, percentile(99%%) = %.4f ms",
                runtime, batch, iterations, wallSeconds, warmupRuns, warmupMs, throughput, minMs, maxMs, meanMs,
                medianMs, p90Ms, p95Ms, p99Ms);
    }
}

package dev.lathe.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.IntSupplier;

/** The server's Prometheus metrics, in a registry of its own (two servers in one JVM do not share counters). */
final class ServerMetrics {
    private static final double[] LATENCY_BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
        1, 2.5, 5, 10};

    final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter requests = Counter.builder().name("lathe_infer_requests")
            .help("inference requests by model and HTTP status").labelNames("model", "code").register(registry);
    final Histogram latency = Histogram.builder().name("lathe_infer_request_duration_seconds")
            .help("time from a request's arrival to its response").labelNames("model").classicOnly()
            .classicUpperBounds(LATENCY_BOUNDS).register(registry);
    final Histogram queueTime = Histogram.builder().name("lathe_queue_time_seconds")
            .help("time a request waited before its batch started").labelNames("model").classicOnly()
            .classicUpperBounds(LATENCY_BOUNDS).register(registry);
    final Histogram compute = Histogram.builder().name("lathe_compute_duration_seconds")
            .help("time of one model run (one batch)").labelNames("model").classicOnly()
            .classicUpperBounds(LATENCY_BOUNDS).register(registry);
    final Histogram batchSize = Histogram.builder().name("lathe_batch_size")
            .help("items per model run formed by the dynamic batcher").labelNames("model").classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);

    void queueDepth(String model, IntSupplier depth) {
        GaugeWithCallback.builder().name("lathe_queue_depth").help("requests waiting for a batch")
                .labelNames("model").callback(cb -> cb.call(depth.getAsInt(), model)).register(registry);
    }

    String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}

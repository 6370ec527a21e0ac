package dev.lathe.serve;

/**
 * How {@link InferenceServer} serves.
 *
 * @param host the address to bind (127.0.0.1 by default: serving beyond the machine is a deliberate choice)
 * @param port the TCP port (0: any free port)
 * @param maxBatch the largest batch the dynamic batcher forms (1 disables batching)
 * @param maxQueueDelayMicros how long the first request of a batch may wait for others to join
 * @param maxQueue requests waiting at most; more get 429
 * @param maxRequestBytes the largest request body; larger gets 413
 * @param instances sessions running batches in parallel
 * @param drainSeconds how long a graceful shutdown waits for requests in flight
 */
public record ServeOptions(String host, int port, int maxBatch, long maxQueueDelayMicros, int maxQueue,
        long maxRequestBytes, int instances, int drainSeconds) {
    public ServeOptions {
        if (maxBatch < 1 || maxQueue < 1 || maxRequestBytes < 1 || instances < 1 || maxQueueDelayMicros < 0) {
            throw new IllegalArgumentException("serve options out of range: " + this);
        }
    }

    public static ServeOptions defaults() {
        return new ServeOptions("127.0.0.1", 8000, 8, 1000, 64, 16L << 20, 1, 30);
    }

    public ServeOptions withPort(int p) {
        return new ServeOptions(host, p, maxBatch, maxQueueDelayMicros, maxQueue, maxRequestBytes, instances,
                drainSeconds);
    }

    public ServeOptions withBatching(int batch, long delayMicros) {
        return new ServeOptions(host, port, batch, delayMicros, maxQueue, maxRequestBytes, instances, drainSeconds);
    }

    public ServeOptions withLimits(int queue, long requestBytes) {
        return new ServeOptions(host, port, maxBatch, maxQueueDelayMicros, queue, requestBytes, instances,
                drainSeconds);
    }
}

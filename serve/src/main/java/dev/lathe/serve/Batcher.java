package dev.lathe.serve;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Server-side dynamic batching, as Triton's dynamic batcher: requests wait in a bounded queue (a full queue refuses
 * at once, so memory never grows without bound); each session's worker takes the oldest request and adds queued
 * requests with the same per-item shapes until the batch holds {@code maxBatch} items or the oldest request has
 * waited {@code maxQueueDelay}; one run serves the whole batch and its outputs are split by rows. A request that
 * does not fit the batch being formed starts the next one. Closing stops accepting, finishes every queued request
 * and closes the sessions.
 */
final class Batcher implements AutoCloseable {
    /** A queued request: its inputs (leading dimension = items), and where its outputs go. */
    record Work(Map<String, HostTensor> inputs, int items, long enqueued, CompletableFuture<Map<String, HostTensor>> done) {}

    private final String model;
    private final List<Session> sessions;
    private final ArrayBlockingQueue<Work> queue;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final ServerMetrics metrics;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean accepting = true;

    Batcher(String model, List<Session> sessions, int maxBatch, long maxDelayMicros, int maxQueue,
            ServerMetrics metrics) {
        this.model = model;
        this.sessions = List.copyOf(sessions);
        this.queue = new ArrayBlockingQueue<>(maxQueue);
        this.maxBatch = maxBatch;
        this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(maxDelayMicros);
        this.metrics = metrics;
        metrics.queueDepth(model, queue::size);
        for (int i = 0; i < sessions.size(); i++) {
            Session s = sessions.get(i);
            Thread t = new Thread(() -> loop(s), "lathe-batcher-" + model + "-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    int maxBatch() {
        return maxBatch;
    }

    /** Queues a request; a full queue or a closing batcher is a 429 / 503 at once. */
    CompletableFuture<Map<String, HostTensor>> submit(Map<String, HostTensor> inputs, int items) {
        if (!accepting) {
            throw new RequestException(503, "the server is shutting down");
        }
        Work w = new Work(inputs, items, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(w)) {
            throw new RequestException(429, "the queue of model '" + model + "' is full (" + queue.size()
                    + " requests waiting); retry later");
        }
        return w.done();
    }

    private void loop(Session session) {
        Work carry = null;
        while (true) {
            Work first;
            try {
                first = carry != null ? carry : queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            carry = null;
            if (first == null) {
                if (!accepting && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            List<Work> batch = new ArrayList<>();
            batch.add(first);
            int items = first.items();
            long deadline = first.enqueued() + maxDelayNanos;
            while (items < maxBatch) {
                Work w;
                long wait = deadline - System.nanoTime();
                try {
                    w = wait > 0 && accepting ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                } catch (InterruptedException e) {
                    w = null;
                }
                if (w == null) {
                    break;
                }
                if (items + w.items() > maxBatch || !sameItemShapes(first, w)) {
                    carry = w;
                    break;
                }
                batch.add(w);
                items += w.items();
            }
            run(session, batch, items);
        }
    }

    private static boolean sameItemShapes(Work a, Work b) {
        for (Map.Entry<String, HostTensor> e : a.inputs().entrySet()) {
            HostTensor o = b.inputs().get(e.getKey());
            long[] s = e.getValue().shape();
            if (o == null || o.dtype() != e.getValue().dtype() || o.rank() != s.length
                    || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(o.shape(), 1, s.length))) {
                return false;
            }
        }
        return true;
    }

    private void run(Session session, List<Work> batch, int items) {
        long start = System.nanoTime();
        for (Work w : batch) {
            metrics.queueTime.labelValues(model).observe((start - w.enqueued()) / 1e9);
        }
        metrics.batchSize.labelValues(model).observe(items);
        try {
            Map<String, HostTensor> inputs = batch.size() == 1 ? batch.get(0).inputs() : concat(batch, items);
            try (Outputs out = session.run(inputs)) {
                metrics.compute.labelValues(model).observe((System.nanoTime() - start) / 1e9);
                int row = 0;
                for (Work w : batch) {
                    Map<String, HostTensor> mine = new LinkedHashMap<>();
                    for (Map.Entry<String, HostTensor> e : out.asMap().entrySet()) {
                        mine.put(e.getKey(), rows(e.getValue(), row, w.items(), items));
                    }
                    row += w.items();
                    w.done().complete(mine);
                }
            }
        } catch (RuntimeException e) {
            for (Work w : batch) {
                w.done().completeExceptionally(e);
            }
        }
    }

    private static Map<String, HostTensor> concat(List<Work> batch, int items) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : batch.get(0).inputs().entrySet()) {
            long[] shape = e.getValue().shape().clone();
            shape[0] = items;
            HostTensor t = HostTensor.allocate(e.getValue().dtype(), shape);
            ByteBuffer dst = t.data().duplicate();
            for (Work w : batch) {
                dst.put(w.inputs().get(e.getKey()).data().duplicate());
            }
            out.put(e.getKey(), t);
        }
        return out;
    }

    /** Rows [from, from + n) of a batch output (a copy: the session recycles its output buffers). */
    private static HostTensor rows(HostTensor t, int from, int n, int items) {
        if (t.rank() == 0 || t.shape()[0] != items) {
            return t.copy(); // not batched along axis 0: every request gets all of it
        }
        long rowBytes = t.byteSize() / items;
        long[] shape = t.shape().clone();
        shape[0] = n;
        HostTensor r = HostTensor.allocate(t.dtype(), shape);
        ByteBuffer src = t.data().duplicate();
        src.position((int) (from * rowBytes)).limit((int) ((from + n) * rowBytes));
        r.data().duplicate().put(src);
        return r;
    }

    /** Stops accepting, lets the workers finish every queued request, then closes the sessions. */
    @Override
    public void close() {
        accepting = false;
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Work w;
        while ((w = queue.poll()) != null) {
            w.done().completeExceptionally(new RequestException(503, "the server stopped"));
        }
        for (Session s : sessions) {
            s.close();
        }
    }
}

package dev.lathe.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load test of a v2 infer endpoint: {@code clients} threads, each sending one request, waiting for
 * its answer and sending the next, for {@code seconds}; every request is counted by outcome, so a lost request (no
 * answer, or an answer other than 200) shows as an error. Latency percentiles are nearest-rank over the successful
 * requests; throughput is successful requests per second of the measured window. Warm-up requests (the first
 * {@code warmupSeconds}) are not measured.
 */
public final class LoadTest {
    /** The outcome of one run. */
    public record Result(int clients, double seconds, long ok, Map<String, Long> errors, double p50Ms, double p90Ms,
            double p99Ms, double maxMs, double throughput) {
        public long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private LoadTest() {}

    public static Result run(URI infer, V2Request body, int clients, double seconds, double warmupSeconds)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .executor(java.util.concurrent.Executors.newFixedThreadPool(Math.max(2, clients))).build();
        HttpRequest request = body.post(HttpRequest.newBuilder(infer).timeout(Duration.ofSeconds(60))).build();
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long end = warmupEnd + (long) (seconds * 1e9);
        List<long[]> latencies = new ArrayList<>();
        Map<String, Long> errors = new ConcurrentHashMap<>();
        AtomicLong ok = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long[] mine = new long[1 << 20];
            int[] count = {0};
            Thread t = new Thread(() -> {
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        break;
                    }
                    String outcome;
                    try {
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        outcome = r.statusCode() == 200 ? null : "HTTP " + r.statusCode();
                    } catch (Exception e) {
                        outcome = e.getClass().getSimpleName();
                    }
                    long stop = System.nanoTime();
                    if (start < warmupEnd) {
                        continue;
                    }
                    if (outcome != null) {
                        errors.merge(outcome, 1L, Long::sum);
                    } else {
                        ok.incrementAndGet();
                        if (count[0] < mine.length) {
                            mine[count[0]++] = stop - start;
                        }
                    }
                }
                synchronized (latencies) {
                    latencies.add(Arrays.copyOf(mine, count[0]));
                }
            }, "lathe-load-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(clients, seconds, ok.get(), new TreeMap<>(errors), pct(all, 50), pct(all, 90),
                pct(all, 99), all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6, ok.get() / seconds);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}

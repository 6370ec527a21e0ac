package dev.lathe.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InputMismatchException;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.runtime.TestModels;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The stopping rules and statistics on a scripted clock (a real run is in the runtime modules' tests). */
class InferenceBenchmarkTest {
    private static final long MS = 1_000_000L;

    /** A session whose every run takes the next scripted latency on a fake clock. */
    private static final class ScriptedSession implements Session {
        final AtomicLong clock;
        final long[] latencies;
        int runs;

        ScriptedSession(AtomicLong clock, long... latencies) {
            this.clock = clock;
            this.latencies = latencies;
        }

        @Override
        public String runtimeName() {
            return "scripted";
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(new TensorSpec("x", DataType.FLOAT, Shape.of("N", 2)));
        }

        @Override
        public List<TensorSpec> outputs() {
            return List.of();
        }

        @Override
        public Outputs run(Map<String, HostTensor> in) {
            clock.addAndGet(latencies[runs++ % latencies.length]);
            return new Outputs(Map.of(), t -> { });
        }

        @Override
        public Outputs run(Map<String, HostTensor> in, Collection<String> names) {
            return run(in);
        }

        @Override
        public void close() {
        }
    }

    private static final Map<String, HostTensor> X = Map.of("x", HostTensor.allocate(DataType.FLOAT, 4, 2));

    @Test
    void minimumIterationsAndNearestRankPercentiles() {
        AtomicLong clock = new AtomicLong();
        // warm-up takes 5 runs of 1 ms (warm-up time 0); then the measured runs take 1..10 ms
        long[] script = {1 * MS, 1 * MS, 1 * MS, 1 * MS, 1 * MS, 7 * MS, 3 * MS, 10 * MS, 1 * MS, 5 * MS, 2 * MS,
                9 * MS, 4 * MS, 8 * MS, 6 * MS};
        ScriptedSession s = new ScriptedSession(clock, script);
        BenchmarkConfig c = new BenchmarkConfig(0, 5, 10, 0);
        BenchmarkResult r = new InferenceBenchmark(c, clock::get).run(s, X, 4, "m");
        assertEquals(5, r.warmupRuns());
        assertEquals(10, r.iterations());
        assertEquals(15, s.runs);
        assertEquals(5.5, r.meanMs(), 1e-9);
        assertEquals(5.5, r.medianMs(), 1e-9);
        assertEquals(1, r.minMs(), 1e-9);
        assertEquals(10, r.maxMs(), 1e-9);
        assertEquals(9, r.p90Ms(), 1e-9);
        assertEquals(10, r.p95Ms(), 1e-9);
        assertEquals(10, r.p99Ms(), 1e-9);
        assertEquals(0.055, r.wallSeconds(), 1e-12);
        assertEquals(4 * 10 / 0.055, r.throughput(), 1e-6);
        assertArrayEquals(new long[] {4, 2}, r.inputShapes().get("x"));
    }

    @Test
    void minimumDurationExtendsTheRun() {
        AtomicLong clock = new AtomicLong();
        ScriptedSession s = new ScriptedSession(clock, MS);
        BenchmarkResult r = new InferenceBenchmark(new BenchmarkConfig(0, 0, 10, 50), clock::get).run(s, X, 1, "m");
        assertEquals(50, r.iterations());
        assertEquals(1000.0, r.throughput(), 1e-9);
    }

    @Test
    void warmUpIsTimeBasedWithAtLeastTheWarmUpRuns() {
        AtomicLong clock = new AtomicLong();
        ScriptedSession s = new ScriptedSession(clock, 30 * MS);
        BenchmarkResult r = new InferenceBenchmark(new BenchmarkConfig(200, 5, 1, 0), clock::get).run(s, X, 1, "m");
        assertEquals(7, r.warmupRuns(), "ceil(200 ms / 30 ms) runs");
        assertEquals(210.0, r.warmupMs(), 1e-9);
        clock.set(0);
        r = new InferenceBenchmark(new BenchmarkConfig(10, 5, 1, 0), clock::get).run(s, X, 1, "m");
        assertEquals(5, r.warmupRuns(), "the run minimum wins over a short warm-up time");
    }

    @Test
    void jsonCarriesTheTrtexecFieldsAndRoundTrips() {
        AtomicLong clock = new AtomicLong();
        BenchmarkResult r = new InferenceBenchmark(new BenchmarkConfig(0, 1, 10, 0), clock::get)
                .run(new ScriptedSession(clock, 2 * MS, 3 * MS), X, 4, "model.onnx");
        String json = r.toJson();
        for (String key : List.of("\"median_ms\"", "\"throughput\"", "\"p99_ms\"", "\"iterations\"", "\"runtime\"")) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        BenchmarkResult back = BenchmarkResult.fromJson(json);
        assertEquals(r.medianMs(), back.medianMs());
        assertEquals(r.throughput(), back.throughput());
        assertEquals(r.iterations(), back.iterations());
        assertArrayEquals(r.inputShapes().get("x"), back.inputShapes().get("x"));
        assertTrue(r.summary().contains("Throughput: "), r.summary());
    }

    @Test
    void randomInputsUseTheBatchForTheDynamicLeadingDimension() {
        Map<String, HostTensor> in = RandomInputs.forSpecs(List.of(
                new TensorSpec("img", DataType.FLOAT, Shape.of("N", 3, 8, 8)),
                new TensorSpec("ids", DataType.INT64, Shape.of(new long[] {2}))), 6, 1);
        assertArrayEquals(new long[] {6, 3, 8, 8}, in.get("img").shape());
        float[] v = in.get("img").toFloats();
        float min = 1;
        float max = 0;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        assertTrue(min >= 0 && max < 1 && max > min, "uniform in [0,1): " + min + ".." + max);
        assertArrayEquals(new long[] {0, 0}, in.get("ids").toLongs());
        InputMismatchException e = assertThrows(InputMismatchException.class, () -> RandomInputs.forSpecs(
                List.of(new TensorSpec("img", DataType.FLOAT, Shape.of("N", 3, "H", "W"))), 1, 1));
        assertTrue(e.getMessage().contains("input 'img'") && e.getMessage().contains("axis 2"), e.getMessage());
    }

    @Test
    void explicitShapesFillDynamicDimensionsAndMustFit() {
        List<TensorSpec> specs = List.of(new TensorSpec("img", DataType.FLOAT, Shape.of("N", 3, "H", "W")));
        Map<String, HostTensor> in = RandomInputs.forSpecs(specs, 1, 1, Map.of("img", new long[] {2, 3, 5, 7}));
        assertArrayEquals(new long[] {2, 3, 5, 7}, in.get("img").shape());
        InputMismatchException e = assertThrows(InputMismatchException.class,
                () -> RandomInputs.forSpecs(specs, 1, 1, Map.of("img", new long[] {2, 4, 5, 7})));
        assertTrue(e.getMessage().contains("[2, 4, 5, 7]") && e.getMessage().contains("[N, 3, H, W]"), e.getMessage());
        e = assertThrows(InputMismatchException.class,
                () -> RandomInputs.forSpecs(specs, 1, 1, Map.of("image", new long[] {1, 3, 5, 7})));
        assertTrue(e.getMessage().contains("'image'") && e.getMessage().contains("[img]"), e.getMessage());
    }
}

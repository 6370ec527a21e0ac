package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TestModels;
import dev.lathe.runtime.bench.BenchmarkConfig;
import dev.lathe.runtime.bench.BenchmarkResult;
import dev.lathe.runtime.bench.InferenceBenchmark;
import dev.lathe.runtime.bench.RandomInputs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runtime-neutral benchmark harness on one short real ONNX Runtime run. */
class OrtBenchmarkTest {

    @Test
    void measuresARealOnnxRuntimeSession() {
        try (Session s = OrtRuntime.cpu().open(ModelSource.of(TestModels.affineRelu()),
                SessionConfig.defaults().withThreads(1, 1))) {
            Map<String, HostTensor> in = RandomInputs.forSpecs(s.inputs(), 8, 7);
            BenchmarkResult r = new InferenceBenchmark(new BenchmarkConfig(20, 5, 10, 100)).run(s, in, 8, "affine");
            assertTrue(r.iterations() >= 10, "iterations " + r.iterations());
            assertTrue(r.wallSeconds() >= 0.1, "wall " + r.wallSeconds());
            assertTrue(r.minMs() <= r.medianMs() && r.medianMs() <= r.p90Ms() && r.p90Ms() <= r.p99Ms()
                    && r.p99Ms() <= r.maxMs(), r.summary());
            assertEquals(8.0 * r.iterations() / r.wallSeconds(), r.throughput(), 1e-6 * r.throughput());
            assertEquals("onnxruntime/cpu", r.runtime());
        }
    }
}

package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Native resources are given back: 1,000 open/run/close cycles of an ORT session (model serialised, session created,
 * one run, outputs and session closed) leave the resident set within a stated bound of where it was after a warm-up
 * of 200 cycles. A leaked session (tens of KB of native allocations each) or output tensor would show as growth
 * proportional to the cycle count. Linux only (reads /proc/self/status).
 */
class OrtNativeResourceTest {
    private static final int WARMUP = 200;
    private static final int CYCLES = 1_000;
    /** Allowance for allocator and JIT noise; a leak of 64 KB per cycle would be 62 MB. */
    private static final long BOUND_BYTES = 24L << 20;

    @Test
    void sessionCyclesKeepTheResidentSetFlat() throws Exception {
        Path status = Path.of("/proc/self/status");
        assumeTrue(Files.isReadable(status), "no /proc/self/status: resident set size is read on Linux only");
        InferenceRuntime ort = Runtimes.get(OrtProviders.CPU);
        Model model = TestModels.affineRelu();
        HostTensor x = HostTensor.ofFloats(new long[] {2, 4}, 1f, -2f, 3f, -4f, 0.5f, 0.25f, -1f, 2f);
        float[] expected = TestModels.affineReluReference(x.toFloats());
        SessionConfig config = SessionConfig.defaults().withThreads(1, 1);
        for (int i = 0; i < WARMUP; i++) {
            cycle(ort, model, config, x, expected);
        }
        System.gc();
        long before = rss(status);
        for (int i = 0; i < CYCLES; i++) {
            cycle(ort, model, config, x, expected);
        }
        System.gc();
        long after = rss(status);
        System.out.printf("RSS after %d warm-up cycles %.1f MB, after %d more %.1f MB (%+.1f MB)%n", WARMUP,
                before / 1e6, CYCLES, after / 1e6, (after - before) / 1e6);
        assertTrue(after - before < BOUND_BYTES, "resident set grew " + (after - before) / 1e6 + " MB over " + CYCLES
                + " session cycles (bound " + BOUND_BYTES / 1e6 + " MB)");
    }

    private static void cycle(InferenceRuntime ort, Model model, SessionConfig config, HostTensor x, float[] expected) {
        try (Session s = ort.open(ModelSource.of(model), config); Outputs out = s.run(Map.of("x", x))) {
            assertArrayEquals(expected, out.get("y").toFloats());
        }
    }

    private static long rss(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS line in " + status);
    }
}

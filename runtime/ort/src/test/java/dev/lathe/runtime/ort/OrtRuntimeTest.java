package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtProvider;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.RuntimeUnavailableException;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime specifics: file sources, settings, and what happens when CUDA is asked for but absent. */
class OrtRuntimeTest {
    private final OrtRuntime ort = OrtRuntime.cpu();

    @Test
    void opensFromAFileAndExposesIntermediatesOfAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("affine.onnx");
        Onnx.save(TestModels.affineRelu(), file);
        float[] x = {1, -2, 3, -4};
        for (SessionConfig c : List.of(SessionConfig.defaults(),
                SessionConfig.defaults().withExposedIntermediates(List.of(TestModels.HIDDEN)))) {
            try (Session s = ort.open(ModelSource.file(file), c);
                 Outputs out = s.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 4}, x)))) {
                assertArrayEquals(TestModels.affineReluReference(x), out.get("y").toFloats());
                assertEquals(c.exposedIntermediates().size() + 1, out.size());
            }
        }
    }

    @Test
    void everyOptimizationLevelAndThreadSettingGivesTheSameResult() {
        float[] x = {0.3f, -0.7f, 1.1f, 2f};
        for (SessionConfig.Optimization o : SessionConfig.Optimization.values()) {
            SessionConfig c = SessionConfig.defaults().withOptimization(o).withThreads(2, 1);
            try (Session s = ort.open(ModelSource.of(TestModels.affineRelu()), c);
                 Outputs out = s.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 4}, x)))) {
                assertArrayEquals(TestModels.affineReluReference(x), out.get("y").toFloats(), o.name());
            }
        }
    }

    @Test
    void closedOutputBuffersAreReusedByTheNextRun() {
        try (Session s = ort.open(ModelSource.of(TestModels.affineRelu()), SessionConfig.defaults())) {
            Map<String, HostTensor> in = Map.of("x", HostTensor.ofFloats(new long[] {1, 4}, 1, 2, 3, 4));
            Outputs first = s.run(in);
            java.nio.ByteBuffer firstMemory = first.get("y").data();
            first.close();
            try (Outputs second = s.run(in)) {
                assertArrayEquals(TestModels.affineReluReference(new float[] {1, 2, 3, 4}),
                        second.get("y").toFloats());
                // a write through the first run's view shows up in the second run's tensor: same memory
                firstMemory.putFloat(0, 123f);
                assertEquals(123f, second.get("y").toFloats()[0]);
            }
        }
    }

    @Test
    void aBrokenModelFileIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.onnx");
        Files.write(file, new byte[] {1, 2, 3, 4, 5});
        InferenceException e = assertThrows(InferenceException.class,
                () -> ort.open(ModelSource.file(file), SessionConfig.defaults()));
        assertTrue(e.getMessage().contains("broken.onnx"), e.getMessage());
    }

    @Test
    void cudaOnTheCpuJarSaysWhatToBuildAndInstall() {
        assumeFalse(OrtRuntime.availableProviders().contains(OrtProvider.CUDA),
                "the GPU jar is on the class path (cuda profile); this checks the CPU-only jar's message");
        RuntimeUnavailableException e = assertThrows(RuntimeUnavailableException.class, () -> OrtRuntime.cuda()
                .open(ModelSource.of(TestModels.affineRelu()), SessionConfig.defaults().withDevice(SessionConfig.Device.cuda(0))));
        String m = e.getMessage();
        assertTrue(m.startsWith("CUDA device 0 unavailable: "), m);
        assertTrue(m.contains("CPU-only build (providers [CPU])"), m);
        assertTrue(m.contains("-Pcuda"), m);
        assertTrue(m.contains("CUDA 12 and cuDNN 9"), m);
        assertTrue(m.contains("ONNX Runtime said: "), m);
    }

    @Test
    void cudaOnTheGpuJarWithoutCudaNamesTheMissingLibraries() {
        assumeTrue(OrtRuntime.availableProviders().contains(OrtProvider.CUDA),
                "needs the GPU jar (-Pcuda); the CPU jar's message is checked above");
        RuntimeUnavailableException e;
        try {
            OrtRuntime.cuda().open(ModelSource.of(TestModels.affineRelu()),
                    SessionConfig.defaults().withDevice(SessionConfig.Device.cuda(0))).close();
            assumeTrue(false, "CUDA loaded here; the missing-library message cannot be observed");
            return;
        } catch (RuntimeUnavailableException thrown) {
            e = thrown;
        }
        String m = e.getMessage();
        assertTrue(m.startsWith("CUDA device 0 unavailable: onnxruntime_gpu could not load its CUDA provider"), m);
        List<String> missing = CudaLibraries.missing();
        if (missing.isEmpty()) {
            assertTrue(m.contains("check the driver"), m);
        } else {
            assertTrue(m.contains("not found on the library path: " + String.join(", ", missing)), m);
        }
    }

    @Test
    void missingCudaLibrariesAreListedBySoname(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("libcudart.so.12"));
        Files.createFile(dir.resolve("libcublas.so.12"));
        List<String> missing = CudaLibraries.missing(Set.of(dir));
        assertEquals(List.of("libcuda.so.1", "libcublasLt.so.12", "libcurand.so.10", "libcudnn.so.9"), missing);
    }

    @Test
    void deviceNamesParse() {
        assertEquals(SessionConfig.Device.CPU, SessionConfig.Device.parse("CPU"));
        assertEquals(SessionConfig.Device.cuda(1), SessionConfig.Device.parse("cuda:1"));
        assertEquals(SessionConfig.Device.cuda(0), SessionConfig.Device.parse("cuda"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionConfig.Device.parse("tpu"));
        assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
    }
}

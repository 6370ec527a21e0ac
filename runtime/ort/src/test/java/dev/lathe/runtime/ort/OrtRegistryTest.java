package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtProvider;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.RuntimeUnavailableException;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ONNX Runtime as found by name, and the one-line refusals of what ORT cannot do. */
class OrtRegistryTest {
    private static final ModelSource AFFINE = ModelSource.of(TestModels.affineRelu());

    @Test
    void bothOrtRuntimesAreInstalled() {
        assertEquals(List.of("ort-cpu", "ort-cuda"), Runtimes.names());
        InferenceRuntime cpu = Runtimes.get("ort-cpu");
        assertInstanceOf(OrtRuntime.class, cpu);
        assertEquals("ort-cpu", cpu.name());
        assertEquals(SessionConfig.Device.CPU, cpu.defaultDevice());
        assertEquals(SessionConfig.Device.cuda(0), OrtRuntime.cuda().defaultDevice());
    }

    @Test
    void unknownNameListsTheInstalledRuntimes() {
        RuntimeUnavailableException e = assertThrows(RuntimeUnavailableException.class, () -> Runtimes.get("trt"));
        assertEquals("unknown runtime 'trt'; installed: ort-cpu, ort-cuda", e.getMessage());
    }

    @Test
    void ortCudaOnTheCpuJarSaysWhyInOneLine() {
        assumeFalse(OrtRuntime.availableProviders().contains(OrtProvider.CUDA), "the GPU jar is on the class path");
        RuntimeUnavailableException e = assertThrows(RuntimeUnavailableException.class,
                () -> Runtimes.get("ort-cuda"));
        assertEquals("runtime 'ort-cuda' cannot run here: the ONNX Runtime jar on the class path is the CPU-only build"
                + " (providers [CPU]); build with the cuda Maven profile (./mvnw -Pcuda package) to get"
                + " onnxruntime_gpu, which needs CUDA 12 and cuDNN 9", e.getMessage());
    }

    @Test
    void aPrebuiltEngineIsRefused() {
        InferenceException e = assertThrows(InferenceException.class, () -> OrtRuntime.cpu().open(
                ModelSource.engine(Path.of("resnet50.plan")), SessionConfig.defaults()));
        assertEquals("ort-cpu cannot open engine resnet50.plan: ONNX Runtime compiles .onnx models; an engine opens"
                + " only in the runtime that built it", e.getMessage());
    }

    @Test
    void fp16IsRefused() {
        InferenceException e = assertThrows(InferenceException.class, () -> OrtRuntime.cpu().open(AFFINE,
                SessionConfig.defaults().withPrecision(SessionConfig.Precision.FP16)));
        assertEquals("ort-cpu does not support precision FP16: ONNX Runtime computes in the graph's own types;"
                + " convert in-memory model 'affine_relu' to float16, or use FP32", e.getMessage());
    }

    @Test
    void aDeviceOfTheOtherKindIsRefused() {
        InferenceException e = assertThrows(InferenceException.class, () -> OrtRuntime.cpu().open(AFFINE,
                SessionConfig.defaults().withDevice(SessionConfig.Device.cuda(1))));
        assertEquals("ort-cpu runs on cpu, not on cuda:1; use the runtime ort-cuda for in-memory model"
                + " 'affine_relu'", e.getMessage());
        e = assertThrows(InferenceException.class, () -> OrtRuntime.cuda().open(AFFINE, SessionConfig.defaults()));
        assertEquals("ort-cuda runs on cuda, not on cpu; use the runtime ort-cpu for in-memory model 'affine_relu'",
                e.getMessage());
    }

    /** INT8_QDQ runs the graph as it is; ORT needs no shape profiles and has nothing to cache. */
    @Test
    void int8QdqProfilesAndACacheDirAreAccepted() {
        SessionConfig c = SessionConfig.defaults().withThreads(1, 1).withPrecision(SessionConfig.Precision.INT8_QDQ)
                .withShapeProfile("x", new SessionConfig.ShapeProfile(new long[] {1, 4}, new long[] {2, 4},
                        new long[] {8, 4}))
                .withCacheDir(Path.of("unused-cache"));
        float[] x = {1, -2, 3, -4};
        try (Session s = OrtRuntime.cpu().open(AFFINE, c);
             Outputs out = s.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 4}, x)))) {
            assertArrayEquals(TestModels.affineReluReference(x), out.get("y").toFloats());
        }
        assertTrue(java.nio.file.Files.notExists(Path.of("unused-cache")));
    }
}

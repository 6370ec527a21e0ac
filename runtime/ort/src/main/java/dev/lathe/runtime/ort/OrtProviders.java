package dev.lathe.runtime.ort;

import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.RuntimeProvider;
import java.util.Optional;

/** ONNX Runtime's two entries in {@link dev.lathe.runtime.Runtimes}, listed in this jar's META-INF/services. */
public final class OrtProviders {
    public static final String CPU = "ort-cpu";
    public static final String CUDA = "ort-cuda";

    private OrtProviders() {}

    /** {@code ort-cpu}: present in every ONNX Runtime build. */
    public static final class Cpu implements RuntimeProvider {
        @Override
        public String name() {
            return CPU;
        }

        @Override
        public Optional<String> unavailableReason() {
            return Optional.empty();
        }

        @Override
        public InferenceRuntime create() {
            return OrtRuntime.cpu();
        }
    }

    /**
     * {@code ort-cuda}: unavailable when the jar is the CPU-only build. With the GPU jar, a missing CUDA library or
     * driver shows when a session is opened, naming the device and the missing files.
     */
    public static final class Cuda implements RuntimeProvider {
        @Override
        public String name() {
            return CUDA;
        }

        @Override
        public Optional<String> unavailableReason() {
            return OrtRuntime.cudaMissingFromJar();
        }

        @Override
        public InferenceRuntime create() {
            return OrtRuntime.cuda();
        }
    }
}

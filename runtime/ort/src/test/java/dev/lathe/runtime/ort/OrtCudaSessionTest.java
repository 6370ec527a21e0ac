package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtProvider;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.RuntimeUnavailableException;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.SessionContractTest;
import dev.lathe.runtime.TestModels;
import org.junit.jupiter.api.BeforeAll;

/**
 * The session contract on the CUDA execution provider. Runs only with the GPU jar ({@code -Pcuda}) on a machine
 * where the provider loads; otherwise every test is skipped, with the reason the runtime gave.
 */
class OrtCudaSessionTest extends SessionContractTest {

    @BeforeAll
    static void cudaPresent() {
        assumeTrue(OrtRuntime.availableProviders().contains(OrtProvider.CUDA),
                "the ONNX Runtime jar has no CUDA provider (build with -Pcuda to run these)");
        try {
            OrtRuntime.cuda().open(ModelSource.of(TestModels.affineRelu()), cuda()).close();
        } catch (RuntimeUnavailableException e) {
            assumeTrue(false, e.getMessage());
        }
    }

    private static SessionConfig cuda() {
        return SessionConfig.defaults().withDevice(SessionConfig.Device.cuda(0));
    }

    @Override
    protected InferenceRuntime runtime() {
        return OrtRuntime.cuda();
    }

    @Override
    protected SessionConfig config() {
        return cuda();
    }

    /** cuDNN and cuBLAS may fuse multiply-add or use TF32-free but differently ordered kernels. */
    @Override
    protected float tolerance() {
        return 1e-5f;
    }
}

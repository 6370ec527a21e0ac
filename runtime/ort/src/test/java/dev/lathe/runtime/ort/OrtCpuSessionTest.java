package dev.lathe.runtime.ort;

import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.SessionContractTest;

/** The session contract on ONNX Runtime's CPU provider (present in every build). */
class OrtCpuSessionTest extends SessionContractTest {
    @Override
    protected InferenceRuntime runtime() {
        return OrtRuntime.cpu();
    }

    @Override
    protected SessionConfig config() {
        return SessionConfig.defaults().withThreads(1, 1);
    }
}

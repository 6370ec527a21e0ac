package dev.lathe.runtime;

/**
 * A way to run models (ONNX Runtime on CPU or CUDA today; TensorRT later, which owns device memory behind the same
 * interface). Sessions, host tensors and the benchmark harness are the same for every runtime.
 */
public interface InferenceRuntime {

    /** Short name, e.g. "onnxruntime". */
    String name();

    /**
     * Compiles a model into a session.
     * @throws RuntimeUnavailableException when the requested device or its libraries are not present
     * @throws InferenceException when the runtime rejects the model, naming the model
     */
    Session open(ModelSource model, SessionConfig config);
}

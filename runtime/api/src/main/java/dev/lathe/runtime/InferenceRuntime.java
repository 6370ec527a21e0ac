package dev.lathe.runtime;

/**
 * A way to run models (ONNX Runtime on CPU or CUDA today; TensorRT later, which owns device memory behind the same
 * interface). Sessions, host tensors and the benchmark harness are the same for every runtime. Find one by name with
 * {@link Runtimes#get}.
 */
public interface InferenceRuntime {

    /** The name {@link Runtimes} knows it by, e.g. "ort-cpu". */
    String name();

    /** The device to configure when the caller names none: cpu for a CPU runtime, cuda:0 for a GPU one. */
    SessionConfig.Device defaultDevice();

    /**
     * Compiles a model into a session.
     * @throws RuntimeUnavailableException when the requested device or its libraries are not present
     * @throws InferenceException when the runtime rejects the model, naming the model, or a setting of the config it
     *     cannot honour (a device of another kind, a precision it lacks), in one line
     */
    Session open(ModelSource model, SessionConfig config);
}

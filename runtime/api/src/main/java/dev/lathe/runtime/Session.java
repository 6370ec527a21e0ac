package dev.lathe.runtime;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A model compiled for one runtime and device, ready to run. Made by {@link InferenceRuntime#open}; closing it
 * frees the runtime's resources, and every later call throws {@link IllegalStateException}.
 *
 * <p>Inputs are checked before anything runs: an unknown or missing name, a wrong element type, a wrong rank or a
 * fixed dimension that does not match throws {@link InputMismatchException} naming the input with the expected and
 * the given shape. Symbolic dimensions with the same name must have the same size across inputs.
 *
 * <p>A session runs one call at a time (calls are serialised); open several sessions for parallel runs.
 */
public interface Session extends AutoCloseable {

    /** Which runtime and device run this, e.g. "onnxruntime/cpu". */
    String runtimeName();

    List<TensorSpec> inputs();

    /** The model's outputs plus any intermediates exposed through {@link SessionConfig#exposedIntermediates()}. */
    List<TensorSpec> outputs();

    /** Runs the model and returns every output. */
    Outputs run(Map<String, HostTensor> inputs);

    /**
     * Runs the model and returns only the named outputs; the runtime may skip copying (and, where it can, computing)
     * the others. Unknown names throw {@link InputMismatchException}.
     */
    Outputs run(Map<String, HostTensor> inputs, Collection<String> outputNames);

    @Override
    void close();
}

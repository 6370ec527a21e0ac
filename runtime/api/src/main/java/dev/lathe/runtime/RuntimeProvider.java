package dev.lathe.runtime;

import java.util.Optional;

/**
 * Makes one {@link InferenceRuntime} known by name to {@link Runtimes}. Implementations are listed in their jar's
 * {@code META-INF/services/dev.lathe.runtime.RuntimeProvider} and found with {@link java.util.ServiceLoader}, so a
 * runtime is installed by putting its module on the class path; they need a public no-argument constructor.
 */
public interface RuntimeProvider {

    /** The name users choose it by: lower case, e.g. "ort-cpu", "ort-cuda", "trt". */
    String name();

    /**
     * Why this runtime cannot run in this process (a CPU-only native build, a missing library), as one sentence
     * saying what to install; empty when it can. Must be cheap and must not throw.
     */
    Optional<String> unavailableReason();

    /** A new runtime; called only when {@link #unavailableReason()} is empty. */
    InferenceRuntime create();
}

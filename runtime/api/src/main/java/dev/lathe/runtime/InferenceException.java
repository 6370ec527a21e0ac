package dev.lathe.runtime;

/** A runtime failed to compile or run a model; the message names the model, input or output involved. */
public class InferenceException extends RuntimeException {
    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}

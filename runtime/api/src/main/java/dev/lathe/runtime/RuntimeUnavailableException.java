package dev.lathe.runtime;

/**
 * The requested runtime, device or execution provider cannot be used here, or no runtime has the requested name; the
 * message says what is missing and how to get it.
 */
public class RuntimeUnavailableException extends InferenceException {
    public RuntimeUnavailableException(String message) {
        super(message);
    }

    public RuntimeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

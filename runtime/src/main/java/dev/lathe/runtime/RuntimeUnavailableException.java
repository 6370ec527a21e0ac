package dev.lathe.runtime;

/** The requested device or execution provider cannot be used here; the message says what is missing and how to get it. */
public class RuntimeUnavailableException extends InferenceException {
    public RuntimeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

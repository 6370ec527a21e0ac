package dev.lathe.runtime;

/** The caller's inputs (or requested outputs) do not fit the session: unknown, missing, wrong type or shape. */
public class InputMismatchException extends InferenceException {
    public InputMismatchException(String message) {
        super(message);
    }
}

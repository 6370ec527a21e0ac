package dev.lathe.graph.pass;

/** A pass could not run, or broke a pre- or postcondition; the message names the pass and what failed. */
public class PassException extends RuntimeException {
    public PassException(String message) {
        super(message);
    }

    public PassException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.lathe.graph.infer;

/** A node whose inputs or attributes do not type-check; the message names the node. */
public class ShapeInferenceException extends RuntimeException {
    public ShapeInferenceException(String message) {
        super(message);
    }
}

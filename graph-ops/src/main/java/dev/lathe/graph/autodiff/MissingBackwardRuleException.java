package dev.lathe.graph.autodiff;

/** A node on the path from the parameters to the loss has an op type with no registered backward rule. */
public final class MissingBackwardRuleException extends RuntimeException {
    public MissingBackwardRuleException(String message) {
        super(message);
    }
}

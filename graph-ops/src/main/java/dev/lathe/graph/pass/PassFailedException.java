package dev.lathe.graph.pass;

import java.util.List;

/** Thrown by {@link PassRunner}: which pass failed and which passes ran before it, in order. */
public final class PassFailedException extends PassException {
    private final String failedPass;
    private final List<String> passesBefore;

    public PassFailedException(String failedPass, List<String> passesBefore, RuntimeException cause) {
        super("pass " + failedPass + " failed"
                + (passesBefore.isEmpty() ? " (first pass)" : " after " + String.join(" -> ", passesBefore))
                + ": " + cause.getMessage(), cause);
        this.failedPass = failedPass;
        this.passesBefore = List.copyOf(passesBefore);
    }

    public String failedPass() {
        return failedPass;
    }

    /** Names of the passes that ran before the failing one, oldest first ("DeadCodeElimination#2" in later rounds). */
    public List<String> passesBefore() {
        return passesBefore;
    }
}

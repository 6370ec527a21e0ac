package dev.lathe.graph.validate;

import java.util.List;

/** A model that is not well-formed or does not type-check; the message names the first offending node or value. */
public class ModelValidationException extends RuntimeException {
    private final List<ModelValidator.Problem> problems;

    public ModelValidationException(List<ModelValidator.Problem> problems) {
        super(problems.get(0).toString() + (problems.size() > 1 ? " (and " + (problems.size() - 1)
                + " more problem" + (problems.size() > 2 ? "s" : "") + ")" : ""));
        this.problems = List.copyOf(problems);
    }

    public List<ModelValidator.Problem> problems() {
        return problems;
    }
}

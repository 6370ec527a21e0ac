package dev.lathe.graph.train;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * What a train step minimises: a weighted sum of named {@link LossTerm}s, each over named values of the forward
 * graph. A classifier's cross-entropy is {@code Objective.of("ce", LossTerms.crossEntropy(0.1))}; ISP's selector is
 * a KL term against a frozen predictor plus area and smoothness terms over the mask; its gate search an MSE term
 * plus a FLOPs-budget term. With more than one term each term's value is also a step output {@code loss.<name>}.
 */
public record Objective(List<Term> terms) {
    /** A term, its weight, and the name it is reported under. */
    public record Term(String name, double weight, LossTerm term) {}

    public Objective {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("an objective needs at least one loss term");
        }
        List<String> names = new ArrayList<>();
        for (Term t : terms) {
            if (names.contains(t.name())) {
                throw new IllegalArgumentException("objective has two terms named '" + t.name() + "'");
            }
            names.add(t.name());
        }
        terms = List.copyOf(terms);
    }

    public static Objective of(String name, LossTerm term) {
        return new Objective(List.of(new Term(name, 1.0, term)));
    }

    /** This objective plus {@code weight * term}. */
    public Objective plus(String name, double weight, LossTerm term) {
        List<Term> more = new ArrayList<>(terms);
        more.add(new Term(name, weight, term));
        return new Objective(more);
    }

    /** Emits every term and their weighted sum; returns the total (a FLOAT scalar). */
    Value emit(ObjectiveContext ctx) {
        Value total = null;
        for (Term t : terms) {
            Value v = t.term().emit(ctx);
            ctx.termValues.put(t.name(), v);
            Value weighted = t.weight() == 1.0 ? v : ctx.ops().mul(v, ctx.ops().scalar(DataType.FLOAT, t.weight()));
            total = total == null ? weighted : ctx.ops().add(total, weighted);
        }
        return total;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Term t : terms) {
            s.append(s.length() == 0 ? "" : " + ").append(t.weight() == 1.0 ? "" : t.weight() + " * ")
                    .append(t.name());
        }
        return s.toString();
    }
}

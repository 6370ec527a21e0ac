package dev.lathe.graph.train;

import dev.lathe.graph.ir.Value;

/**
 * One term of a training {@link Objective}: builds a FLOAT scalar from named values of the forward graph (and extra
 * inputs it declares) through {@link ObjectiveContext#ops()}. Built-in terms are in {@link LossTerms}; a user term is
 * a lambda written with the builder, e.g. a smoothness penalty over a mask:
 * <pre>{@code ctx -> { Ops o = ctx.ops(); Value m = ctx.value("mask"); ... return o.reduceMean(d, false); }}</pre>
 */
@FunctionalInterface
public interface LossTerm {
    Value emit(ObjectiveContext ctx);
}

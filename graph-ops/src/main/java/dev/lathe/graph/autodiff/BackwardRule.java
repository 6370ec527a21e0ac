package dev.lathe.graph.autodiff;

import dev.lathe.graph.ir.Value;

/**
 * The backward of one op type: given the gradients flowing into a node's outputs, emit the gradients of the inputs
 * the engine asks for ({@link BackwardContext#needs}). Returns one entry per node input; null where the input is not
 * needed or not differentiable. Each returned gradient must have its input's shape (un-broadcast where needed).
 */
@FunctionalInterface
public interface BackwardRule {
    Value[] backward(BackwardContext c);
}

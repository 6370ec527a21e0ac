/**
 * Type and shape inference rules per op; used by the builder on every node and by validation. {@link
 * dev.lathe.graph.infer.ShapeInference} is the registry; the rules live in one class per op family
 * ({@code *Rules}, registered by {@code OnnxRules}); {@link dev.lathe.graph.infer.ShapeValue} evaluates small shape
 * vectors symbolically; {@link dev.lathe.graph.infer.IntOps} is the one home of the integer semantics of shape ops
 * (broadcasting, Slice, Gather, Concat, Reshape targets, integer arithmetic), which constant folding and the pruning
 * analysis use too. Depends on {@code ir} only.
 */
package dev.lathe.graph.infer;

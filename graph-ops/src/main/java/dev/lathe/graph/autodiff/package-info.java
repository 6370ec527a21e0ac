/**
 * Reverse-mode automatic differentiation of ONNX graphs into standard ai.onnx ops: the {@link
 * dev.lathe.graph.autodiff.Autodiff} engine, which adds nodes through the graph-editing builder ({@code dev.lathe.graph.build}) with type inference off, and one
 * backward rule per op type in {@link dev.lathe.graph.autodiff.BackwardRules}. Imports the IR and the builder; used by the train-step builder ({@code dev.lathe.graph.train}) and the runtime trainer.
 */
package dev.lathe.graph.autodiff;

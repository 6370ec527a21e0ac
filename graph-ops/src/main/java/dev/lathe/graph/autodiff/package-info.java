/**
 * Reverse-mode automatic differentiation of ONNX graphs into standard ai.onnx ops: the {@link
 * dev.lathe.graph.autodiff.Autodiff} engine, the {@link dev.lathe.graph.autodiff.Emitter} it writes nodes with, and one
 * backward rule per op type in {@link dev.lathe.graph.autodiff.BackwardRules}. Imports only the IR
 * ({@code dev.lathe.graph.ir}); used by the train-step builder ({@code dev.lathe.graph.train}) and the runtime trainer.
 */
package dev.lathe.graph.autodiff;

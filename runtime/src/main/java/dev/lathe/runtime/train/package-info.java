/**
 * The trainer: runs a {@link dev.lathe.graph.train.TrainStep} graph in an ONNX Runtime session with zero-copy direct
 * buffers and double-buffered parameters (pinned outputs), learning-rate schedules, accuracy metrics, atomic
 * per-epoch checkpoints with exact resume, and the training benchmark. Imports graph-ops, runtime.data and ONNX
 * Runtime; used by the CLI.
 */
package dev.lathe.runtime.train;

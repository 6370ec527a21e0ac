/**
 * The trainer: runs a {@link dev.lathe.graph.train.TrainStep} graph in an ONNX Runtime session with zero-copy direct
 * buffers and double-buffered parameters (pinned outputs), the NCHWc rewrite on CPU, per-epoch checkpoints with exact
 * resume, and the training benchmark. These fast paths are ORT's, so the trainer lives in lathe-runtime-ort; its
 * runtime-neutral parts (schedules, checkpoints, metrics, accuracy) are in {@link dev.lathe.runtime.train}. Imports
 * graph-ops, the runtime API and ONNX Runtime; used by the CLI.
 */
package dev.lathe.runtime.ort.train;

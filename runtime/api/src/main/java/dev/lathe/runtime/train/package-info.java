/**
 * What training and evaluation share across runtimes: learning-rate schedules, checkpoints, epoch metrics, mergeable
 * accuracy counts ({@link dev.lathe.runtime.train.Accuracy}), evaluation of an inference model and the gradient probe,
 * both through a {@link dev.lathe.runtime.Session}. The trainer itself, with ONNX Runtime's fast paths, is in
 * {@code dev.lathe.runtime.ort.train}. Imports graph-ops and the runtime API; used by the CLI and pruning commands.
 */
package dev.lathe.runtime.train;

/**
 * Train-step graphs: losses, in-graph optimizers (SGD with momentum/Nesterov/weight decay, AdamW), training-mode
 * BatchNorm lowering and the {@link dev.lathe.graph.train.TrainStepBuilder} that turns a forward model into one ONNX
 * graph (forward, loss, backward, update) plus an eval graph; in-graph randomness keyed by the step seed
 * ({@link dev.lathe.graph.train.RandomDraws}) and stochastic depth on the residual joins models mark
 * ({@link dev.lathe.graph.train.DropPath}). Imports the IR, inference and autodiff; used by the
 * runtime trainer and the CLI.
 */
package dev.lathe.graph.train;

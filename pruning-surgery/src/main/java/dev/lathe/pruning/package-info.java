/**
 * Structural channel pruning by ONNX graph surgery. {@link dev.lathe.pruning.Pruner} is the entry point of one cut: it
 * finds the channel groups ({@code graph}), scores them ({@code importance}), plans what to remove ({@code plan}) and
 * cuts the initializers and shape constants ({@code surgery}); {@link dev.lathe.pruning.IterativePruner} cuts in
 * steps with a fine-tune callback between them. Depends on graph-ops only (training and gradients come in through
 * callbacks); the cli and tests modules import it.
 */
package dev.lathe.pruning;

/**
 * Structural channel pruning by ONNX graph surgery. {@link dev.lathe.pruning.Pruner} is the entry point: it finds the
 * channel groups ({@code graph}), scores them ({@code importance}), plans what to remove ({@code plan}) and cuts
 * the initializers and shape constants ({@code surgery}). Depends on graph-ops only; the cli and tests modules import
 * it.
 */
package dev.lathe.pruning;

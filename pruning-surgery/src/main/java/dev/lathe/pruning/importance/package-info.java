/**
 * Channel importance criteria scoring the units of a group: magnitude (L1/L2), BatchNorm scale, FPGM, random,
 * first-order Taylor and CIC (class-wise Taylor consistency). Gradient-based criteria read gradients as data
 * ({@link dev.lathe.pruning.importance.GradientSet}). Imports dev.lathe.pruning.graph and graph-ops.
 */
package dev.lathe.pruning.importance;

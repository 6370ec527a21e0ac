/**
 * Channel importance criteria scoring the units of a group: magnitude (L1/L2), BatchNorm scale, FPGM, random,
 * first-order Taylor and CIC (class-wise Taylor consistency), found by name through
 * {@link dev.lathe.pruning.importance.Importances}. Gradient-based criteria read gradients as data
 * ({@link dev.lathe.pruning.importance.GradientSet}, {@link dev.lathe.pruning.importance.GradientSource}) and fold
 * them into mergeable per-class statistics ({@link dev.lathe.pruning.importance.CicStatistics}). Imports
 * dev.lathe.pruning.graph and graph-ops.
 */
package dev.lathe.pruning.importance;

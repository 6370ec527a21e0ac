/**
 * Applies a set of removed channel units to a model: slices initializers (new tensors, same names), rewrites shape
 * constants and group counts, and updates value types. The same walk can instead zero the removed slices, which is
 * how tests prove a cut exact. Imports dev.lathe.pruning.graph and graph-ops.
 */
package dev.lathe.pruning.surgery;

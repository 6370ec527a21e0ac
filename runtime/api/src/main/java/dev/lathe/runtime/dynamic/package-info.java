/**
 * Dynamic (early-exit) inference as AnchorNet does it: an image runs stage after stage (resized image, then patches,
 * logits summed) and leaves at the first stage whose confidence passes that stage's threshold.
 * Over precomputed tables: {@link dev.lathe.runtime.dynamic.ExitTable} holds confidence and correctness per image
 * and stage, {@link dev.lathe.runtime.dynamic.EarlyExit} applies a threshold vector,
 * {@link dev.lathe.runtime.dynamic.ThresholdSearch} sweeps a grid and {@link dev.lathe.runtime.dynamic.ParetoFront}
 * keeps the undominated settings. On real images: {@link dev.lathe.runtime.dynamic.AnchorCascade} is the cascade as a
 * {@link dev.lathe.runtime.Session} over three sessions of any runtime, with {@link
 * dev.lathe.runtime.dynamic.BicubicResize} and {@link dev.lathe.runtime.dynamic.PatchSelection} (CAM, greedy IoU) in
 * Java. Imports the runtime API and graph-ops (MACs counting); cli and tests import this.
 */
package dev.lathe.runtime.dynamic;

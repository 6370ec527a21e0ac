/**
 * Dynamic (early-exit) inference over precomputed per-stage tables, as AnchorNet evaluates it: an image runs stage
 * after stage (resized image, then patches, logits summed) and leaves at the first stage whose confidence passes
 * that stage's threshold. {@link dev.lathe.runtime.dynamic.ExitTable} holds confidence and correctness per image and
 * stage, {@link dev.lathe.runtime.dynamic.EarlyExit} applies a threshold vector and
 * {@link dev.lathe.runtime.dynamic.ThresholdSearch} picks thresholds under a MACs budget. Pure Java, no runtime
 * session: the tables come from whoever ran the stages (ONNX Runtime here, or a released PyTorch file read through
 * the converter by the tests module). Imports nothing outside the JDK; cli and tests import this.
 */
package dev.lathe.runtime.dynamic;

/**
 * Streaming, mergeable statistics of the tensors to calibrate ({@link dev.lathe.calibration.stats.TensorStats},
 * {@link dev.lathe.calibration.stats.Histogram}) and the collector that runs a model batch by batch to fill them.
 * Uses graph-ops' IR (to choose tensors) and runtime-api's {@code Session}; used by the methods and the CLI.
 */
package dev.lathe.calibration.stats;

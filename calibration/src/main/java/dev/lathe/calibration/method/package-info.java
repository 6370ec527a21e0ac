/**
 * Calibration methods: from a tensor's statistics to the range it is quantized over (minmax, percentile, entropy,
 * mse). Pure arithmetic on {@link dev.lathe.calibration.stats}; no runtime.
 */
package dev.lathe.calibration.method;

/**
 * Unlabelled calibration batches over runtime-api's data pipeline ({@code Dataset}s: synthetic, CIFAR, image folders)
 * or a folder of {@code .npy} batches. Used by the stats collector's callers (the CLI); imports runtime-api only.
 */
package dev.lathe.calibration.data;

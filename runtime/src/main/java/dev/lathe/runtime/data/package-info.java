/**
 * Datasets for training and evaluation: the {@link dev.lathe.runtime.data.Dataset} contract (indexed images and
 * labels, filled into caller-owned buffers) and the seeded {@link dev.lathe.runtime.data.SyntheticDataset}. Imports
 * nothing from Lathe; used by the trainer and the CLI.
 */
package dev.lathe.runtime.data;

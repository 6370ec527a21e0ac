/**
 * Datasets for training and evaluation: the {@link dev.lathe.runtime.data.Dataset} contract (indexed images and
 * labels, filled into caller-owned buffers), the seeded {@link dev.lathe.runtime.data.SyntheticDataset}, readers for
 * real image collections ({@link dev.lathe.runtime.data.ImageSet}: CIFAR-100 releases, CIFAR-100-LT), their
 * long-tail bookkeeping ({@link dev.lathe.runtime.data.LongTail}). Imports nothing from Lathe but the razorvine
 * pickle library; used by the trainer and the CLI.
 */
package dev.lathe.runtime.data;

/**
 * Datasets for training and evaluation: the {@link dev.lathe.runtime.data.Dataset} contract (indexed float32 CHW
 * images and labels, filled into caller-owned buffers), the seeded {@link dev.lathe.runtime.data.SyntheticDataset},
 * real image collections as {@link dev.lathe.runtime.data.ImageSet}s (CIFAR-10 and CIFAR-100 python/binary releases
 * and their long-tailed subsets in {@link dev.lathe.runtime.data.Cifar}, class folders and ImageNet-LT lists in
 * {@link dev.lathe.runtime.data.FileImageSet}), long-tail bookkeeping ({@link dev.lathe.runtime.data.LongTail}),
 * torchvision-equivalent augmentations ({@link dev.lathe.runtime.data.Transforms}), timm's training augmentations
 * on Pillow-exact ops ({@link dev.lathe.runtime.data.RandAugment}, {@link dev.lathe.runtime.data.AutoAugment} and
 * {@link dev.lathe.runtime.data.AugMix},
 * parsed as an {@link dev.lathe.runtime.data.AugmentSpec}, over {@link dev.lathe.runtime.data.PointOps},
 * {@link dev.lathe.runtime.data.ColorAdjust} and {@link dev.lathe.runtime.data.AffineWarp};
 * {@link dev.lathe.runtime.data.RandomErasing}; batch-level {@link dev.lathe.runtime.data.Mixup}; their settings as
 * {@link dev.lathe.runtime.data.TrainAugmentation}; draws through {@link dev.lathe.runtime.data.Draws} so tests can
 * replay a reference's) and
 * {@link dev.lathe.runtime.data.AugmentedDataset}, which turns an image set into a seeded Dataset. Imports nothing
 * from Lathe; uses the razorvine pickle library and javax.imageio. Used by the trainer and the CLI.
 */
package dev.lathe.runtime.data;

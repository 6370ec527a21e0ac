/**
 * CIC (class-importance-consistency pruning for long-tailed recognition): the CIFAR ResNet-32 with width factor 4
 * and option-B shortcuts and the torchvision ResNeXt-50 32x4d, both with the cosine classifier
 * {@link dev.lathe.models.cic.NormedLinear} named {@code fc}. Keys as in the CIC repository's
 * {@code models/resnet_cifar.py} and {@code models/resnet_imagenet.py}. Imports graph-ops and the torchvision family.
 */
package dev.lathe.models.cic;

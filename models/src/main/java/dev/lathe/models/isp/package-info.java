/**
 * ISP (interpretation-steered pruning) CIFAR-10 classifiers: ResNet-56 with the parameter-free option-A shortcut
 * and the CIFAR MobileNetV2 variant, keys as in the ISP repository's CIFAR10 branch ({@code Models/ResNetWithGate.py},
 * {@code Models/MobileNetV2.py}); the all-ones virtual gates hold no tensors and are identities, so they are left
 * out. Imports graph-ops only.
 */
package dev.lathe.models.isp;

/**
 * ISP (interpretation-steered pruning, ECCV 2022) on CIFAR-10: the classifiers (ResNet-56 with the parameter-free
 * option-A shortcut, the CIFAR MobileNetV2 variant), keys as in the ISP repository's CIFAR10 branch
 * ({@code Models/ResNetWithGate.py}, {@code Models/MobileNetV2.py}; the all-ones virtual gates hold no tensors and
 * are identities, so they are left out), and the method's graph pieces: RBF maps and masks ({@link
 * dev.lathe.models.isp.IspRbf}), the networks with optional gates and the selector ({@link
 * dev.lathe.models.isp.IspNets}), the Stage A/B step graphs and objectives ({@link dev.lathe.models.isp.IspGraphs}),
 * the Stage C gates, gate generators, search graph and objective ({@link dev.lathe.models.isp.IspSearch}, the GRU
 * hyper-structure in {@link dev.lathe.models.isp.IspHyperStructure}) and the differentiable
 * FLOPs ({@link dev.lathe.models.isp.IspFlops}). Imports graph-ops only.
 */
package dev.lathe.models.isp;

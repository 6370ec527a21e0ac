/**
 * IIEU (Instantaneous Importance Estimation Units, ICCV 2023): the IIEU-B activation, which reads the BN output,
 * the preceding conv's input and that conv's weight, and the timm-style Bottleneck ResNets built with it, plus the
 * ReLU baselines of the same topology; IIEU-DC, which replaces each residual add by the {@code DynamicScaler}.
 * Keys as the repository's {@code MODELS/resnet_iieub_timm.py}, {@code resnet_iieudc_timm.py} and the MobileNetV2
 * x0.17 files. Imports
 * graph-ops, {@code dev.lathe.models} and the torchvision family (for the baselines).
 */
package dev.lathe.models.iieu;

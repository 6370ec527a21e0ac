/**
 * torchvision's classification topologies (ResNet, ResNeXt, MobileNetV2, DenseNet) with torchvision's state_dict
 * key names, so torchvision's released weights bind by name. Used by the paper families as backbones; imports only
 * graph-ops and {@code dev.lathe.models}.
 */
package dev.lathe.models.torchvision;

/**
 * AnchorNet (Localizing Semantic Patches for Accelerating Image Classification, ICME 2022): the padding-free
 * patch-proposal network whose 17x17 feature map at 224x224 maps each cell to one 95x95 input patch. Keys as the
 * repository's {@code models/anchornet.py}. The DenseNet-201 it feeds at 95x95 is the torchvision family's
 * {@code densenet201} built at resolution 95. Imports graph-ops and {@code dev.lathe.models}.
 */
package dev.lathe.models.anchornet;

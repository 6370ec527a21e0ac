/**
 * EfficientMod (Efficient Modulation for Vision Networks, ICLR 2024): channel-last modulation blocks
 * {@code fc2(GELU(fc1(LN x)) * repeat(g(GELU(dwconv7(f(LN x))))))} with layer scale, vanilla ViT attention blocks
 * (head size max(C/8, 32)) at the ends of stages 3-4, and conv+LN patch embeddings. Keys as the repository's
 * {@code models/EfficientMod.py}. Imports graph-ops and {@code dev.lathe.models}.
 */
package dev.lathe.models.efficientmod;

package dev.lathe.pruning.graph;

/** What a parameter slice is, for the importance criteria. */
public enum ParamRole {
    /** Rows of a weight that write the channels (Conv output channels, Gemm output features). */
    WEIGHT_OUT,
    /** Columns of a weight that read the channels. */
    WEIGHT_IN,
    /** Per-channel scale of a normalization (BatchNorm gamma, LayerNorm weight). */
    NORM_SCALE,
    /** Any other per-channel constant: biases, running statistics, broadcast operands. */
    OTHER
}

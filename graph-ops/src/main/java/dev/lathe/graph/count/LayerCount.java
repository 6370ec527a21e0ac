package dev.lathe.graph.count;

import dev.lathe.graph.ir.TensorType;

/**
 * Counts of one node: the parameters it owns (initializers it is the first consumer of) and its MACs at batch 1.
 * {@code macs} is -1 when a shape the formula needs is unknown; {@code output} is the inferred type of output 0.
 */
public record LayerCount(String name, String opType, TensorType output, long params, long macs) {
    public boolean counted() {
        return macs >= 0;
    }
}

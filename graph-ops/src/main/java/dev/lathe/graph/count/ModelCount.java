package dev.lathe.graph.count;

import java.util.List;

/**
 * Totals of a model and the per-node counts they sum; {@code uncounted} names the nodes whose MACs could not be
 * computed because a shape was unknown or symbolic beyond the batch axis (their MACs are missing from {@code macs}).
 * MACs are per image: {@code batch} is the model's fixed batch that the counts were divided by (1 when the batch is
 * dynamic or 1).
 */
public record ModelCount(long params, long macs, List<LayerCount> nodes, List<String> uncounted, long batch) {
    public ModelCount {
        nodes = List.copyOf(nodes);
        uncounted = List.copyOf(uncounted);
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
    }

    /** Whether the MAC total covers every node: false when a size was unknown or symbolic (H, W without a value). */
    public boolean macsKnown() {
        return uncounted.isEmpty();
    }

    /** Nodes that own parameters or do multiply-accumulates: the "layers" in the PyTorch sense. */
    public List<LayerCount> layers() {
        return nodes.stream().filter(n -> n.params() > 0 || n.macs() > 0).toList();
    }
}

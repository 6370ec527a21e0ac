package dev.lathe.graph.count;

import java.util.List;

/**
 * Totals of a model and the per-node counts they sum; {@code uncounted} names the nodes whose MACs could not be
 * computed because a shape was unknown (their MACs are missing from {@code macs}).
 */
public record ModelCount(long params, long macs, List<LayerCount> nodes, List<String> uncounted) {
    public ModelCount {
        nodes = List.copyOf(nodes);
        uncounted = List.copyOf(uncounted);
    }

    /** Nodes that own parameters or do multiply-accumulates: the "layers" in the PyTorch sense. */
    public List<LayerCount> layers() {
        return nodes.stream().filter(n -> n.params() > 0 || n.macs() > 0).toList();
    }
}

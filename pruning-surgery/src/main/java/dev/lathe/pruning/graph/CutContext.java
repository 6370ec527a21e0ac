package dev.lathe.pruning.graph;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;

/** What a {@link ConstEdit} sees while a cut is applied. */
public interface CutContext {
    /** Sorted indices of the kept channels of a space. */
    int[] kept(ChannelSpace space);

    default int keptCount(ChannelSpace space) {
        return kept(space).length;
    }

    /** Replaces a constant input of a node (by a new initializer, or in place when the node is its only user). */
    void setConstInput(Node node, int inputIndex, Tensor value);

    void setAttr(Node node, String key, Attr value);
}

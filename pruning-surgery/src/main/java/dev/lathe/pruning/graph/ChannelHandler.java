package dev.lathe.pruning.graph;

import dev.lathe.graph.ir.Node;

/**
 * Channel rule of one op kind: given the tracks of a node's inputs, it gives its outputs tracks (new spaces or the
 * input's space on a possibly moved axis), couples channels that must go together, and records the parameter slices
 * and constant edits a cut needs. A handler that cannot follow a tracked input must block it with a reason.
 */
@FunctionalInterface
public interface ChannelHandler {
    void propagate(Node node, AnalysisContext ctx);
}

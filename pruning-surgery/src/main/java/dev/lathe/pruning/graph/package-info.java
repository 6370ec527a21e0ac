/**
 * The channel dependency graph over the IR: every tensor axis that carries channels is a {@link
 * dev.lathe.pruning.graph.ChannelSpace}; one {@link dev.lathe.pruning.graph.ChannelHandler} per op kind couples the
 * channels of a node's inputs and outputs and records which parameter slices and shape constants a cut must edit.
 * Coupled channels form units (removed together) and units form {@link dev.lathe.pruning.graph.ChannelGroup}s. An op
 * with no handler blocks the channels it reads. {@link dev.lathe.pruning.graph.ChannelHandlers} is the table; the
 * handlers live in one class per op family ({@code ConvHandlers}, {@code ElementwiseHandlers}, {@code NormHandlers},
 * {@code LinearHandlers}, {@code IndexingHandlers}, {@code ShapeHandlers}, {@code ReduceHandlers},
 * {@code ResizePadHandlers}). Shapes of constant subgraphs follow {@code dev.lathe.graph.infer.IntOps}. Imports
 * graph-ops only; used by the rest of dev.lathe.pruning.
 */
package dev.lathe.pruning.graph;

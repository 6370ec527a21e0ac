package dev.lathe.pruning.graph;

/** Where a value carries channels: which space, on which axis, in a tensor of which rank. */
public record Track(ChannelSpace space, int axis, int rank) {}

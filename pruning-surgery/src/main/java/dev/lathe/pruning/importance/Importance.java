package dev.lathe.pruning.importance;

import dev.lathe.pruning.graph.ChannelGroup;

/** Scores the units of a channel group; low scores are removed first. */
public interface Importance {
    /** The criterion's name as the CLI spells it ("l1", "cic"). */
    String name();

    /** One score per unit of the group, or null when this criterion cannot score the group (no BatchNorm, say). */
    double[] score(ChannelGroup group);
}

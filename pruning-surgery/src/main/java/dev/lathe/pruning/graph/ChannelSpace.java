package dev.lathe.pruning.graph;

import dev.lathe.graph.ir.Value;

/**
 * One set of channels: the channel axis of the value that first carries it (a Conv output, a Concat output, a
 * Flatten output). Values derived channel-for-channel (BatchNormalization, Relu, Add) share their input's space.
 * Its channels are the elements {@code offset .. offset+size-1} of the analysis.
 */
public final class ChannelSpace {
    private final int id;
    private final Value origin;
    private final int size;
    private final int offset;

    ChannelSpace(int id, Value origin, int size, int offset) {
        this.id = id;
        this.origin = origin;
        this.size = size;
        this.offset = offset;
    }

    public int id() {
        return id;
    }

    /** The value whose channel axis created this space. */
    public Value origin() {
        return origin;
    }

    public int size() {
        return size;
    }

    int offset() {
        return offset;
    }

    @Override
    public String toString() {
        return origin.name() + "[" + size + "]";
    }
}

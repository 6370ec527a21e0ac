package dev.lathe.pruning.graph;

import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;

/**
 * One axis of a constant that is indexed by channels: input {@code inputIndex} of {@code consumer} reads the constant
 * {@code source}, whose index {@code i} along {@code axis} belongs to channel {@code channelOfIndex[i]} of
 * {@code space}. A cut keeps exactly the indices whose channel is kept.
 */
public record ParamSlice(Node consumer, int inputIndex, Value source, int axis, ChannelSpace space,
        int[] channelOfIndex, ParamRole role) {

    public static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}

package dev.lathe.pruning.importance;

import dev.lathe.graph.ir.Model;
import dev.lathe.pruning.graph.ChannelGraph;

/**
 * A named way of scoring channels that makes a fresh {@link Importance} for each model it scores: importances cache
 * sums of the weights they read, and gradient criteria need the gradients of the model as it is now.
 */
public interface Criterion {
    /** The name {@link Importances#byName} knows it by. */
    String name();

    /** The importance of {@code graph}'s groups, {@code graph} being the channel analysis of {@code model}. */
    Importance importanceFor(Model model, ChannelGraph graph) throws Exception;
}

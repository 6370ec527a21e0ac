package dev.lathe.pruning.importance;

import dev.lathe.graph.ir.Model;
import java.util.function.Consumer;

/**
 * Loss gradients of a model's parameters at its current weights, batch by batch. Computing them is the trainer's
 * job (the cli wires the runtime's gradient probe in); pruning-surgery only reads them, so Taylor and CIC can
 * re-score a model that an earlier pruning step or a fine-tune changed.
 */
@FunctionalInterface
public interface GradientSource {
    /**
     * Hands each batch's gradients of {@code model}'s parameters to {@code sink}, one batch at a time; with
     * {@code classWise} every batch holds one class (CIC's single-class batches, SEEDS §5.1) and says which.
     */
    void forEachBatch(Model model, boolean classWise, Consumer<GradientSet.Batch> sink) throws Exception;

    /** The same gradients whatever the model: a set computed once, as read from a gradient file. */
    static GradientSource fixed(GradientSet set) {
        return (model, classWise, sink) -> set.batches().forEach(sink);
    }
}

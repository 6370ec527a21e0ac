package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Model;

/**
 * One transformation of a model. Passes edit the model in place through the IR's guarded methods and say whether
 * they changed anything, so a {@link PassRunner} can iterate to a fixed point. {@link #requires} and {@link #ensures}
 * are optional pre- and postconditions; they throw {@link PassException} naming what does not hold.
 */
public interface Pass {

    PassResult apply(Model model);

    /** The name used in reports and errors; the class name unless a pass says otherwise. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** Checked before {@link #apply}; throw {@link PassException} when the model is not fit for this pass. */
    default void requires(Model model) {}

    /** Checked after {@link #apply}; throw {@link PassException} when the pass broke a promise. */
    default void ensures(Model model) {}
}

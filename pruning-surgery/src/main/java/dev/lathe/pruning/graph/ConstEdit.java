package dev.lathe.pruning.graph;

/** A change a cut makes besides slicing parameters: a shape constant or an attribute that counts channels. */
public interface ConstEdit {
    /** Human-readable target, e.g. "Reshape node 'r1' input 1 entry 1". */
    String describe();

    void apply(CutContext ctx);
}

package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Model;

/** What a pass returns: the (possibly same, edited) model and whether anything changed. */
public record PassResult(Model model, boolean modified) {}

package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.validate.ModelValidator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Orders every graph (subgraphs included) so each node follows the producers of its inputs, as ONNX requires.
 * Wraps {@link Graph#sortTopologically()}, which is stable: an already sorted graph keeps its order and the pass
 * reports no change. A cycle fails naming a node on it.
 */
public final class TopologicalSort implements Pass {

    @Override
    public PassResult apply(Model model) {
        return new PassResult(model, sort(model.graph()));
    }

    static boolean sort(Graph g) {
        boolean modified = false;
        for (Node n : g.nodes()) {
            for (Graph sub : Graph.subgraphs(n)) {
                modified |= sort(sub);
            }
        }
        List<Node> before = new ArrayList<>(g.nodes());
        g.sortTopologically();
        return modified || !before.equals(g.nodes());
    }

    @Override
    public void ensures(Model model) {
        requireSorted(model.graph());
    }

    /**
     * Throws naming the first node that reads a value produced later in the same graph. Only the order: the rest of
     * well-formedness is {@link ModelValidator#requireWellFormed}'s.
     */
    static void requireSorted(Graph g) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : g.nodes()) {
            for (Value v : n.inputs()) {
                if (v != null && v.producer() != null && v.producer().graph() == g && !seen.contains(v.producer())) {
                    throw new PassException("graph '" + g.name() + "': " + n + " reads '" + v.name()
                            + "' before its producer " + v.producer());
                }
            }
            seen.add(n);
            for (Graph sub : Graph.subgraphs(n)) {
                requireSorted(sub);
            }
        }
    }
}

package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import java.util.ArrayList;
import java.util.List;

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
        GraphChecks.requireSorted(model.graph());
    }
}

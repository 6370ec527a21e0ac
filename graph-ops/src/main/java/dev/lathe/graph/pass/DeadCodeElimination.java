package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Removes nodes with no path to a graph output and initializers nothing reads. Graph inputs are never removed (they
 * are the model's interface, and subgraph inputs are positional), nor are initializers that are also listed as graph
 * inputs (IR &lt; 4 overridable defaults). A node is live when one of its outputs is a graph output or feeds a live
 * node, including through a live node's subgraphs reading outer values; subgraphs of live nodes are cleaned too.
 * ONNX operators have no side effects, so a node nothing reads is removable whatever its domain.
 */
public final class DeadCodeElimination implements Pass {

    @Override
    public PassResult apply(Model model) {
        return new PassResult(model, clean(model.graph()));
    }

    static boolean clean(Graph g) {
        Set<Node> live = liveNodes(g);
        boolean modified = false;
        // reverse order: consumers go before their producers, so removeNode never sees a dangling use
        List<Node> nodes = new ArrayList<>(g.nodes());
        Collections.reverse(nodes);
        List<Node> dead = new ArrayList<>();
        for (Node n : nodes) {
            if (!live.contains(n)) {
                dead.add(n);
                releaseSubgraphReads(n);
            }
        }
        // the graph may be unsorted: remove whatever has no remaining uses until nothing more goes
        while (!dead.isEmpty()) {
            boolean progress = false;
            for (int i = 0; i < dead.size(); i++) {
                Node n = dead.get(i);
                if (n.outputs().stream().allMatch(v -> v.uses().isEmpty())) {
                    g.removeNode(n);
                    dead.remove(i--);
                    progress = true;
                    modified = true;
                }
            }
            if (!progress) {
                throw new PassException("graph '" + g.name() + "': dead " + dead.get(0)
                        + " is still read by a live node; use lists are inconsistent");
            }
        }
        for (Node n : g.nodes()) {
            for (Graph sub : Graph.subgraphs(n)) {
                modified |= clean(sub);
            }
        }
        Set<Value> inputs = Collections.newSetFromMap(new IdentityHashMap<>());
        inputs.addAll(g.inputs());
        for (Value init : new ArrayList<>(g.initializers().values())) {
            if (init.uses().isEmpty() && !inputs.contains(init) && !g.outputs().contains(init)) {
                g.removeInitializer(init.name());
                modified = true;
            }
        }
        return modified;
    }

    /**
     * A removed node's subgraphs would keep their reads of outer values in those values' use lists, making them look
     * used; the subgraph nodes go with the node, so their inputs are cleared first.
     */
    private static void releaseSubgraphReads(Node n) {
        for (Graph sub : Graph.subgraphs(n)) {
            for (Node inner : sub.nodes()) {
                releaseSubgraphReads(inner);
                inner.setInputs(List.of());
            }
        }
    }

    /** Nodes with a path to a graph output, walking producers backwards from the outputs. */
    static Set<Node> liveNodes(Graph g) {
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Value> todo = new ArrayDeque<>(g.outputs());
        while (!todo.isEmpty()) {
            Value v = todo.pop();
            Node p = v.producer();
            if (p == null || p.graph() != g || !live.add(p)) {
                continue;
            }
            for (Value in : p.inputs()) {
                if (in != null) {
                    todo.push(in);
                }
            }
            todo.addAll(outerReads(p));
        }
        return live;
    }

    /** Values from enclosing scopes that the subgraphs of {@code n} (at any depth) read. */
    static List<Value> outerReads(Node n) {
        List<Value> out = new ArrayList<>();
        Deque<Graph> todo = new ArrayDeque<>(Graph.subgraphs(n));
        while (!todo.isEmpty()) {
            Graph sub = todo.pop();
            Set<Value> local = Collections.newSetFromMap(new IdentityHashMap<>());
            local.addAll(sub.inputs());
            local.addAll(sub.initializers().values());
            for (Node inner : sub.nodes()) {
                local.addAll(inner.outputs());
            }
            for (Node inner : sub.nodes()) {
                for (Value v : inner.inputs()) {
                    if (v != null && !local.contains(v)) {
                        out.add(v);
                    }
                }
                todo.addAll(Graph.subgraphs(inner));
            }
            for (Value v : sub.outputs()) {
                if (!local.contains(v)) {
                    out.add(v);
                }
            }
        }
        return out;
    }
}

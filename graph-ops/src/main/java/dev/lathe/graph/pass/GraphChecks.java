package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Structural checks a pass must leave true: every node input is defined in scope (graph input, initializer, an
 * earlier node's output here or in an enclosing graph), use lists agree with node inputs both ways, graph outputs
 * are defined, and no two values of a graph share a name. Subgraphs are checked with their outer scope visible.
 */
public final class GraphChecks {
    private GraphChecks() {}

    /** Throws {@link PassException} naming the graph, node and value that break well-formedness. */
    public static void requireWellFormed(Graph g) {
        check(g, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static void check(Graph g, Set<Value> outer) {
        Set<Value> visible = Collections.newSetFromMap(new IdentityHashMap<>());
        visible.addAll(outer);
        Set<String> names = new java.util.HashSet<>();
        for (Value v : g.inputs()) {
            visible.add(v);
            names.add(v.name());
        }
        for (Value v : g.initializers().values()) {
            visible.add(v);
            names.add(v.name());
        }
        for (Node n : g.nodes()) {
            if (n.graph() != g) {
                throw fail(g, n + " is listed but does not belong to the graph");
            }
            for (int i = 0; i < n.inputs().size(); i++) {
                Value v = n.input(i);
                if (v == null) {
                    continue;
                }
                if (!visible.contains(v)) {
                    throw fail(g, n + " input " + i + " '" + v.name() + "' is not defined before the node");
                }
                if (!v.uses().contains(new Value.Use(n, i))) {
                    throw fail(g, "value '" + v.name() + "' does not list its use by " + n + " at input " + i);
                }
            }
            for (Graph sub : Graph.subgraphs(n)) {
                check(sub, visible);
            }
            for (Value out : n.outputs()) {
                if (out.producer() != n) {
                    throw fail(g, n + " output '" + out.name() + "' names another producer");
                }
                if (!out.name().isEmpty() && !names.add(out.name())) {
                    throw fail(g, "two values are named '" + out.name() + "' (one is an output of " + n + ")");
                }
                visible.add(out);
                checkUses(g, out);
            }
        }
        for (Value v : g.inputs()) {
            checkUses(g, v);
        }
        for (Value v : g.initializers().values()) {
            checkUses(g, v);
        }
        for (Value v : g.outputs()) {
            if (!visible.contains(v)) {
                throw fail(g, "graph output '" + v.name() + "' is not defined in the graph");
            }
        }
    }

    private static void checkUses(Graph g, Value v) {
        List<Value.Use> uses = v.uses();
        for (Value.Use u : uses) {
            if (u.node().graph() == null) {
                throw fail(g, "value '" + v.name() + "' is still used by removed node " + u.node());
            }
            if (u.node().input(u.index()) != v) {
                throw fail(g, "value '" + v.name() + "' lists a use by " + u.node() + " at input " + u.index()
                        + " that the node does not have");
            }
        }
    }

    /** Throws naming the first node that reads a value produced later in the same graph. */
    public static void requireSorted(Graph g) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : g.nodes()) {
            for (Value v : n.inputs()) {
                if (v != null && v.producer() != null && v.producer().graph() == g && !seen.contains(v.producer())) {
                    throw fail(g, n + " reads '" + v.name() + "' before its producer " + v.producer());
                }
            }
            seen.add(n);
            for (Graph sub : Graph.subgraphs(n)) {
                requireSorted(sub);
            }
        }
    }

    private static PassException fail(Graph g, String what) {
        return new PassException("graph '" + g.name() + "': " + what);
    }
}

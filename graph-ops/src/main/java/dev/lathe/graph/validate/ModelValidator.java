package dev.lathe.graph.validate;

import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.infer.ShapeInferenceException;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one check that a model is well-formed and type-checks, used by the loader's callers (CLI, demo), the tests and,
 * for the graph's structure alone, the pass runner after every pass. Well-formedness problems are all collected; the
 * type check then runs {@link ShapeInference} over the nodes in order (re-typing every node output, as the builder
 * does) and stops at the first node that fails, since every later type would depend on it. Graph outputs whose
 * declared type contradicts the inferred one are reported too.
 *
 * <p>Well-formed means: every node belongs to its graph and reads only values defined before it (graph inputs,
 * initializers, earlier outputs here or in an enclosing graph); use lists and node inputs agree both ways, and no use
 * is by a removed node; each output names its node as producer; value and node names are unique in a graph; graph
 * outputs are defined. Subgraphs are checked with their outer scope visible.
 *
 * <pre>{@code
 * List<ModelValidator.Problem> problems = ModelValidator.check(model);   // or
 * ModelValidator.validate(model);   // throws ModelValidationException naming the first problem
 * ModelValidator.requireWellFormed(graph);   // structure only, no opsets or types (a pass's postcondition)
 * }</pre>
 */
public final class ModelValidator {
    private ModelValidator() {}

    /** One problem: where (a node's description, or "graph 'g' value 'x'") and what is wrong. */
    public record Problem(String where, String message) {
        @Override
        public String toString() {
            return where + ": " + message;
        }
    }

    /** Throws {@link ModelValidationException} naming the first problem, if there is any. */
    public static void validate(Model model) {
        List<Problem> problems = check(model);
        if (!problems.isEmpty()) {
            throw new ModelValidationException(problems);
        }
    }

    /** All well-formedness problems, then the first type-check failure; empty when the model is valid. */
    public static List<Problem> check(Model model) {
        List<Problem> problems = new ArrayList<>();
        checkOpsets(model, problems);
        checkGraph(model.graph(), problems, Set.of());
        if (problems.isEmpty()) {
            typeCheck(model, problems);
        }
        return problems;
    }

    /** The structural problems of a graph (no opset imports, no types); empty when it is well-formed. */
    public static List<Problem> wellFormed(Graph g) {
        List<Problem> problems = new ArrayList<>();
        checkGraph(g, problems, Set.of());
        return problems;
    }

    /** Throws {@link ModelValidationException} naming the first structural problem of the graph, if any. */
    public static void requireWellFormed(Graph g) {
        List<Problem> problems = wellFormed(g);
        if (!problems.isEmpty()) {
            throw new ModelValidationException(problems);
        }
    }

    private static void checkOpsets(Model model, List<Problem> problems) {
        Map<String, Long> imports = model.opsetImports();
        if (!imports.containsKey("") && !imports.containsKey("ai.onnx")) {
            problems.add(new Problem("model", "no opset import for the ai.onnx domain"));
        }
        for (Node n : model.graph().nodes()) {
            String d = n.domain();
            if (!d.isEmpty() && !d.equals("ai.onnx") && !imports.containsKey(d)) {
                problems.add(new Problem(n.describe(), "uses domain '" + d + "' that the model does not import"));
            }
        }
    }

    /** {@code outer}: values visible from enclosing graphs (subgraphs of If/Loop/Scan may read them). */
    private static void checkGraph(Graph g, List<Problem> problems, Set<Value> outer) {
        String gname = "graph '" + g.name() + "'";
        Set<Value> defined = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, Value> byName = new HashMap<>();
        for (Value v : g.inputs()) {
            define(gname, v, byName, problems);
            defined.add(v);
        }
        for (Value v : g.initializers().values()) {
            if (!defined.contains(v)) { // IR < 4: an initializer may also be listed as an input
                define(gname, v, byName, problems);
            }
            defined.add(v);
        }
        Map<String, Node> nodeNames = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.graph() != g) {
                problems.add(new Problem(n.describe(), "is listed in " + gname + " but belongs to another graph"));
            }
            Node same = nodeNames.put(n.name(), n);
            if (same != null && !n.name().isEmpty()) {
                problems.add(new Problem(n.describe(), "has the same name as " + same.describe()));
            }
            for (int i = 0; i < n.inputs().size(); i++) {
                Value v = n.input(i);
                if (v == null) {
                    continue;
                }
                if (!defined.contains(v) && !outer.contains(v)) {
                    problems.add(new Problem(n.describe(), v.producer() != null && v.producer().graph() == g
                            ? "input " + i + " ('" + v.name() + "') is not defined before use (produced later by "
                                    + v.producer().describe() + "; sort the graph)"
                            : "input " + i + ": value '" + v.name() + "' is not defined in this graph or an"
                                    + " enclosing one"));
                }
                if (!v.uses().contains(new Value.Use(n, i))) {
                    problems.add(new Problem(n.describe(), "input " + i + " ('" + v.name() + "') does not list this"
                            + " node among its uses"));
                }
            }
            for (Value v : n.outputs()) {
                if (v.producer() != n) {
                    problems.add(new Problem(n.describe(), "output '" + v.name() + "' names another producer"));
                }
                if (v.name() != null && !v.name().isEmpty()) { // empty: an omitted optional output
                    define(n.describe(), v, byName, problems);
                }
                defined.add(v);
                checkUses(gname, v, problems);
            }
            List<Graph> subs = Graph.subgraphs(n);
            if (!subs.isEmpty()) {
                Set<Value> visible = Collections.newSetFromMap(new IdentityHashMap<>());
                visible.addAll(outer);
                visible.addAll(defined);
                for (Graph sub : subs) {
                    checkGraph(sub, problems, visible);
                }
            }
        }
        for (Value v : g.inputs()) {
            checkUses(gname, v, problems);
        }
        for (Value v : g.initializers().values()) {
            checkUses(gname, v, problems);
        }
        for (int i = 0; i < g.outputs().size(); i++) {
            Value v = g.outputs().get(i);
            if (!defined.contains(v)) {
                problems.add(new Problem(gname, "output " + i + " ('" + v.name() + "') is not produced by any node,"
                        + " input or initializer of the graph"));
            }
        }
    }

    /** Every use a value lists is a live node that reads it at that input. */
    private static void checkUses(String gname, Value v, List<Problem> problems) {
        for (Value.Use u : v.uses()) {
            String where = gname + " value '" + v.name() + "'";
            if (u.node().graph() == null) {
                problems.add(new Problem(where, "is still used by removed node " + u.node().describe()));
            } else if (u.node().input(u.index()) != v) {
                problems.add(new Problem(where, "lists a use by " + u.node().describe() + " at input " + u.index()
                        + " that the node does not have"));
            }
        }
    }

    private static void define(String where, Value v, Map<String, Value> byName, List<Problem> problems) {
        Value prev = byName.put(v.name(), v);
        if (prev != null && prev != v) {
            problems.add(new Problem(where, "defines value '" + v.name() + "' a second time (names must be unique"
                    + " in a graph)"));
        }
    }

    private static void typeCheck(Model model, List<Problem> problems) {
        Graph g = model.graph();
        Map<Value, TensorType> declared = new IdentityHashMap<>();
        for (Value v : g.outputs()) {
            declared.put(v, v.type());
        }
        for (Value v : g.inputs()) {
            if (v.type() == null || v.type().shape() == null) {
                problems.add(new Problem("graph '" + g.name() + "' input '" + v.name() + "'",
                        "has no declared type and shape"));
                return;
            }
        }
        for (Node n : g.nodes()) {
            try {
                ShapeInference.inferNode(n, model.opset());
            } catch (ShapeInferenceException e) {
                problems.add(new Problem(n.describe(), stripPrefix(e.getMessage(), n.describe())));
                return;
            } catch (RuntimeException e) {
                // a malformed attribute (wrong kind) surfaces as IllegalStateException from Node.attr*
                problems.add(new Problem(n.describe(), stripPrefix(String.valueOf(e.getMessage()), n.describe())));
                return;
            }
        }
        for (Map.Entry<Value, TensorType> e : declared.entrySet()) {
            TensorType d = e.getValue();
            TensorType inferred = e.getKey().type();
            if (d != null && inferred != null && !compatible(d, inferred)) {
                problems.add(new Problem("graph '" + g.name() + "' output '" + e.getKey().name() + "'",
                        "declared " + d + " but the graph computes " + inferred));
            }
        }
    }

    private static String stripPrefix(String message, String prefix) {
        return message.startsWith(prefix + ": ") ? message.substring(prefix.length() + 2) : message;
    }

    /** Same element type, and where both sides know a dimension's size, the same size. */
    static boolean compatible(TensorType declared, TensorType inferred) {
        if (declared.dtype() != inferred.dtype()) {
            return false;
        }
        Shape a = declared.shape();
        Shape b = inferred.shape();
        if (a == null || b == null) {
            return true;
        }
        if (a.rank() != b.rank()) {
            return false;
        }
        for (int i = 0; i < a.rank(); i++) {
            Dim x = a.get(i);
            Dim y = b.get(i);
            if (x.isFixed() && y.isFixed() && x.size() != y.size()) {
                return false;
            }
        }
        return true;
    }
}

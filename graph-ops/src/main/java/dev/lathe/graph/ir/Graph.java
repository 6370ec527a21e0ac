package dev.lathe.graph.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A computation graph: nodes in order, graph inputs and outputs, and initializers (constant values). */
public final class Graph {
    private String name;
    private String docString = "";
    private final List<Node> nodes = new ArrayList<>();
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final Map<String, Value> initializers = new LinkedHashMap<>();
    private final Map<String, String> metadataProps = new LinkedHashMap<>();
    /** Graph parts the IR does not model (sparse initializers, quantization annotations), kept verbatim. */
    private final List<byte[]> opaqueSparseInitializers = new ArrayList<>();
    private final List<byte[]> opaqueQuantizationAnnotations = new ArrayList<>();
    private final Set<String> usedNames = new HashSet<>();
    private int nameCounter;

    public Graph(String name) {
        this.name = name == null ? "" : name;
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String docString() {
        return docString;
    }

    public void setDocString(String docString) {
        this.docString = docString == null ? "" : docString;
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public Map<String, String> metadataProps() {
        return metadataProps;
    }

    public List<byte[]> opaqueSparseInitializers() {
        return opaqueSparseInitializers;
    }

    public List<byte[]> opaqueQuantizationAnnotations() {
        return opaqueQuantizationAnnotations;
    }

    /** Initializers in insertion order, keyed by name. */
    public Map<String, Value> initializers() {
        return Collections.unmodifiableMap(initializers);
    }

    public Value initializer(String name) {
        return initializers.get(name);
    }

    public Value addInput(Value v) {
        v.owner = this;
        inputs.add(v);
        claim(v.name());
        return v;
    }

    public void removeInput(Value v) {
        if (inputs.remove(v) && v.owner == this) {
            v.owner = null;
        }
    }

    public Value addOutput(Value v) {
        outputs.add(v);
        return v;
    }

    /** Replaces the graph output at position i; names are the caller's business (ONNX names outputs by value). */
    public void setOutput(int i, Value v) {
        outputs.set(i, v);
    }

    public void removeOutput(int i) {
        outputs.remove(i);
    }

    public void clearOutputs() {
        outputs.clear();
    }

    /** Adds a named constant; the name must be unused. */
    public Value addInitializer(String name, Tensor t) {
        if (initializers.containsKey(name)) {
            throw new IllegalArgumentException("graph '" + this.name + "' already has an initializer named " + name);
        }
        Value v = new Value(name, t.type());
        v.setConstValue(t);
        v.owner = this;
        initializers.put(name, v);
        claim(name);
        return v;
    }

    /** Registers an existing value as an initializer (its constValue must be set). */
    public Value addInitializer(Value v) {
        if (v.constValue() == null) {
            throw new IllegalArgumentException("value " + v.name() + " has no constant data");
        }
        if (initializers.putIfAbsent(v.name(), v) != null) {
            throw new IllegalArgumentException("graph '" + name + "' already has an initializer named " + v.name());
        }
        v.owner = this;
        claim(v.name());
        return v;
    }

    public void removeInitializer(String name) {
        Value v = initializers.get(name);
        if (v != null && !v.uses().isEmpty()) {
            throw new IllegalStateException("initializer " + name + " still used by " + v.uses().get(0).node());
        }
        if (initializers.remove(name) != null && v.owner == this && !inputs.contains(v)) {
            v.owner = null;
        }
    }

    /** Renames an initializer, keeping its position. */
    public void renameInitializer(String oldName, String newName) {
        Map<String, Value> copy = new LinkedHashMap<>(initializers);
        initializers.clear();
        for (Map.Entry<String, Value> e : copy.entrySet()) {
            if (e.getKey().equals(oldName)) {
                e.getValue().setName(newName);
                initializers.put(newName, e.getValue());
            } else {
                initializers.put(e.getKey(), e.getValue());
            }
        }
        claim(newName);
    }

    public Node addNode(Node n) {
        attach(n);
        nodes.add(n);
        return n;
    }

    public Node insertBefore(Node anchor, Node n) {
        int i = nodes.indexOf(anchor);
        if (i < 0) {
            throw new IllegalArgumentException(anchor + " is not in graph '" + name + "'");
        }
        attach(n);
        nodes.add(i, n);
        return n;
    }

    public Node insertAfter(Node anchor, Node n) {
        int i = nodes.indexOf(anchor);
        if (i < 0) {
            throw new IllegalArgumentException(anchor + " is not in graph '" + name + "'");
        }
        attach(n);
        nodes.add(i + 1, n);
        return n;
    }

    private void attach(Node n) {
        if (n.graph != null) {
            throw new IllegalArgumentException(n + " already belongs to graph '" + n.graph.name() + "'");
        }
        n.graph = this;
        if (n.name().isEmpty()) {
            n.setName(uniqueName(n.opType()));
        } else {
            claim(n.name());
        }
        for (Value v : n.outputs()) {
            if (v.name() == null) {
                v.setName(uniqueName(n.name() + "_out"));
            } else if (!v.name().isEmpty()) { // "" is an absent optional output (LSTM's unused Y_h) and stays absent
                claim(v.name());
            }
        }
    }

    /**
     * Removes a node. Its outputs must have no remaining consumers and must not be graph outputs, so that no value
     * is left dangling.
     */
    public void removeNode(Node n) {
        for (Value v : n.outputs()) {
            if (!v.uses().isEmpty()) {
                throw new IllegalStateException("cannot remove " + n + ": output " + v.name() + " is used by "
                        + v.uses().get(0).node());
            }
            if (outputs.contains(v)) {
                throw new IllegalStateException("cannot remove " + n + ": output " + v.name() + " is a graph output");
            }
        }
        if (!nodes.remove(n)) {
            throw new IllegalArgumentException(n + " is not in graph '" + name + "'");
        }
        n.dropUses();
        n.graph = null;
    }

    /** A name not yet used for a node or value in this graph, derived from {@code base}. */
    public String uniqueName(String base) {
        if (usedNames.isEmpty()) {
            reindexNames();
        }
        String candidate = base;
        while (usedNames.contains(candidate)) {
            candidate = base + "_" + (++nameCounter);
        }
        usedNames.add(candidate);
        return candidate;
    }

    private void claim(String n) {
        if (n != null) {
            usedNames.add(n);
        }
    }

    private void reindexNames() {
        for (Value v : inputs) {
            claim(v.name());
        }
        initializers.keySet().forEach(this::claim);
        for (Node n : nodes) {
            claim(n.name());
            n.outputs().forEach(v -> claim(v.name()));
        }
    }

    /** Every value visible in this graph by name: inputs, initializers and node outputs. */
    public Map<String, Value> valuesByName() {
        Map<String, Value> m = new HashMap<>();
        inputs.forEach(v -> m.put(v.name(), v));
        m.putAll(initializers);
        for (Node n : nodes) {
            for (Value v : n.outputs()) {
                m.put(v.name(), v);
            }
        }
        return m;
    }

    public Node nodeByName(String nodeName) {
        for (Node n : nodes) {
            if (n.name().equals(nodeName)) {
                return n;
            }
        }
        return null;
    }

    /**
     * Reorders nodes so each comes after the producers of its inputs (Kahn's algorithm, stable with respect to the
     * current order). Values produced outside this graph (outer scopes) count as available.
     * @throws IllegalStateException naming a node on a cycle
     */
    public void sortTopologically() {
        Map<Node, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            position.put(nodes.get(i), i);
        }
        Map<Node, Integer> pending = new IdentityHashMap<>();
        Map<Node, List<Node>> successors = new IdentityHashMap<>();
        for (Node n : nodes) {
            Set<Node> preds = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Value v : allInputsIncludingSubgraphs(n)) {
                Node p = v.producer();
                if (p != null && position.containsKey(p) && p != n) {
                    preds.add(p);
                }
            }
            pending.put(n, preds.size());
            for (Node p : preds) {
                successors.computeIfAbsent(p, k -> new ArrayList<>()).add(n);
            }
        }
        java.util.PriorityQueue<Node> ready = new java.util.PriorityQueue<>((a, b) -> position.get(a) - position.get(b));
        for (Node n : nodes) {
            if (pending.get(n) == 0) {
                ready.add(n);
            }
        }
        List<Node> order = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            order.add(n);
            for (Node s : successors.getOrDefault(n, List.of())) {
                if (pending.merge(s, -1, Integer::sum) == 0) {
                    ready.add(s);
                }
            }
        }
        if (order.size() != nodes.size()) {
            for (Node n : nodes) {
                if (pending.get(n) > 0) {
                    throw new IllegalStateException("graph '" + name + "' has a cycle through " + n);
                }
            }
        }
        nodes.clear();
        nodes.addAll(order);
    }

    /**
     * A deep copy: new nodes and values with the same names, types, attributes and metadata, sharing the immutable
     * tensor data of initializers and attributes. {@code outer} maps values of enclosing graphs to their copies (a
     * subgraph reads them by reference); it receives this graph's values too.
     */
    Graph copy(Map<Value, Value> outer) {
        Graph c = new Graph(name);
        c.docString = docString;
        c.metadataProps.putAll(metadataProps);
        c.opaqueSparseInitializers.addAll(opaqueSparseInitializers);
        c.opaqueQuantizationAnnotations.addAll(opaqueQuantizationAnnotations);
        for (Value v : initializers.values()) {
            Value init = copyOf(v, outer);
            init.setConstValue(v.constValue());
            init.setType(v.type());
            c.addInitializer(init);
        }
        for (Value v : inputs) { // before IR 4 an initializer is also listed as an input: the same value
            Value mapped = outer.get(v);
            c.addInput(mapped != null && initializers.get(v.name()) == v ? mapped : copyOf(v, outer));
        }
        for (Node n : nodes) {
            List<Value> in = new ArrayList<>(n.inputs().size());
            for (Value v : n.inputs()) {
                in.add(v == null ? null : mapped(v, outer, n));
            }
            List<Value> out = new ArrayList<>(n.outputs().size());
            for (Value v : n.outputs()) {
                out.add(copyOf(v, outer));
            }
            Node m = new Node(n.domain(), n.opType(), n.name(), in, out);
            m.setOverload(n.overload());
            m.setDocString(n.docString());
            m.metadataProps().putAll(n.metadataProps());
            for (Map.Entry<String, Attr> a : n.attributes().entrySet()) {
                m.attr(a.getKey(), copyAttr(a.getValue(), outer));
            }
            c.addNode(m);
        }
        for (Value v : outputs) {
            c.addOutput(mapped(v, outer, null));
        }
        return c;
    }

    private static Value copyOf(Value v, Map<Value, Value> copies) {
        Value c = new Value(v.name(), v.type());
        c.setDocString(v.docString());
        c.setOpaqueType(v.opaqueType());
        copies.put(v, c);
        return c;
    }

    private Value mapped(Value v, Map<Value, Value> copies, Node reader) {
        Value c = copies.get(v);
        if (c == null) {
            throw new IllegalStateException("graph '" + name + "': value " + v.name() + (reader == null
                    ? " (a graph output)" : " read by " + reader) + " is not produced, an input or an initializer");
        }
        return c;
    }

    private static Attr copyAttr(Attr a, Map<Value, Value> outer) {
        if (a instanceof Attr.GraphAttr g) {
            return new Attr.GraphAttr(g.value().copy(outer));
        }
        if (a instanceof Attr.GraphsAttr gs) {
            List<Graph> copies = new ArrayList<>();
            for (Graph g : gs.values()) {
                copies.add(g.copy(outer));
            }
            return new Attr.GraphsAttr(copies);
        }
        return a; // records of immutable data
    }

    /** Inputs of a node plus the outer-scope values its subgraphs read. */
    static List<Value> allInputsIncludingSubgraphs(Node n) {
        List<Value> out = new ArrayList<>();
        for (Value v : n.inputs()) {
            if (v != null) {
                out.add(v);
            }
        }
        Deque<Graph> todo = new ArrayDeque<>(subgraphs(n));
        while (!todo.isEmpty()) {
            Graph g = todo.pop();
            for (Node inner : g.nodes) {
                for (Value v : inner.inputs()) {
                    if (v != null && v.producer() != null && v.producer().graph != g) {
                        out.add(v);
                    }
                }
                todo.addAll(subgraphs(inner));
            }
        }
        return out;
    }

    public static List<Graph> subgraphs(Node n) {
        List<Graph> out = new ArrayList<>();
        for (Attr a : n.attributes().values()) {
            if (a instanceof Attr.GraphAttr g) {
                out.add(g.value());
            } else if (a instanceof Attr.GraphsAttr gs) {
                out.addAll(gs.values());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Graph(" + name + ", " + nodes.size() + " nodes)";
    }
}

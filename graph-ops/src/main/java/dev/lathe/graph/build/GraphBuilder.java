package dev.lathe.graph.build;

import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one way nodes are made: authoring a new graph, and editing an existing one (autodiff, the train step, surgery,
 * passes, and later Q/DQ insertion and gates). A builder points at an insertion point ({@link #atEnd},
 * {@link #before}, {@link #after}) and, unless told not to ({@link #inferTypes}), infers the type of every node it
 * adds, so a bad node fails at once with a message naming it.
 *
 * <p>Module scopes ({@link #scope}) prefix parameter names exactly like PyTorch {@code state_dict} keys
 * ({@code layer1.0.conv1.weight}) and name nodes after the module that made them; an explicit name prefix
 * ({@link #namePrefix}) names edits after the node they belong to ({@code grad/conv1/Conv}).
 *
 * <pre>{@code
 * GraphBuilder b = new GraphBuilder("net", 17);
 * Value x = b.input("input", DataType.FLOAT, "N", 3, 32, 32);
 * try (var s = b.scope("conv1")) { x = b.ops().conv(x, b.param("weight", w), null, ConvAttrs.same(3)); }
 * b.output(b.ops().relu(x), "logits");
 * Model m = b.build();
 *
 * GraphBuilder edit = GraphBuilder.editing(model).before(conv);   // insert into an existing graph
 * Value q = edit.ops().op("QuantizeLinear", x, scale, zeroPoint);
 * }</pre>
 */
public final class GraphBuilder {
    private final Graph graph;
    private final long opset;
    private final Deque<String> scopes = new ArrayDeque<>();
    private final Ops ops = new Ops(this);
    /** Opset imports of custom domains: the edited model's own map, or collected for {@link #build}. */
    private final Map<String, Long> opsetImports;
    private Node anchor;
    private boolean insertAfter;
    private boolean inferTypes = true;
    private String namePrefix;

    /** A builder of a new graph, appending at its end. */
    public GraphBuilder(String graphName, long opset) {
        this(new Graph(graphName), opset, new LinkedHashMap<>());
    }

    private GraphBuilder(Graph graph, long opset, Map<String, Long> opsetImports) {
        this.graph = graph;
        this.opset = opset;
        this.opsetImports = opsetImports;
    }

    /** A builder that edits {@code model}'s main graph; custom domains it uses are added to the model's imports. */
    public static GraphBuilder editing(Model model) {
        return new GraphBuilder(model.graph(), model.opset(), model.opsetImports());
    }

    /** A builder that edits {@code graph} (a subgraph, or a graph whose model the caller completes). */
    public static GraphBuilder editing(Graph graph, long opset) {
        return new GraphBuilder(graph, opset, new LinkedHashMap<>());
    }

    public Graph graph() {
        return graph;
    }

    public long opset() {
        return opset;
    }

    /** Typed operator methods: {@code b.ops().conv(...)}. */
    public Ops ops() {
        return ops;
    }

    // ---- where and how nodes are added ----

    /** Appends new nodes at the end of the graph (the default). */
    public GraphBuilder atEnd() {
        anchor = null;
        return this;
    }

    /** Inserts new nodes, in the order they are built, just before {@code node}. */
    public GraphBuilder before(Node node) {
        requireInGraph(node);
        anchor = node;
        insertAfter = false;
        return this;
    }

    /** Inserts new nodes, in the order they are built, just after {@code node}. */
    public GraphBuilder after(Node node) {
        requireInGraph(node);
        anchor = node;
        insertAfter = true;
        return this;
    }

    /**
     * Whether each added node's output types are inferred (default true). Autodiff turns it off: gradient
     * intermediates need no types, and the engine types each finished gradient like the value it belongs to.
     */
    public GraphBuilder inferTypes(boolean on) {
        this.inferTypes = on;
        return this;
    }

    /**
     * Names the nodes and constants added from now on {@code prefix/OpType} and {@code prefix/const} (an edit named
     * after the node it belongs to); null returns to names from the module scopes.
     */
    public GraphBuilder namePrefix(String prefix) {
        this.namePrefix = prefix;
        return this;
    }

    private void requireInGraph(Node node) {
        if (node.graph() != graph) {
            throw new IllegalArgumentException(node + " is not in graph '" + graph.name() + "'");
        }
    }

    // ---- module scopes ----

    /** A named module scope; close it to leave. Scopes nest: "layer1" then "0" gives "layer1.0". */
    public Scope scope(String name) {
        scopes.addLast(name);
        return new Scope(this);
    }

    /** Closeable handle returned by {@link #scope}. */
    public static final class Scope implements AutoCloseable {
        private final GraphBuilder b;
        private final int depth;

        private Scope(GraphBuilder b) {
            this.b = b;
            this.depth = b.scopes.size();
        }

        @Override
        public void close() {
            if (b.scopes.size() != depth) {
                throw new IllegalStateException("scopes closed out of order at " + b.prefix());
            }
            b.scopes.removeLast();
        }
    }

    /** The current dotted scope path ("layer1.0.conv1"), empty at top level. */
    public String prefix() {
        return String.join(".", scopes);
    }

    /** Fully qualified name of {@code local} in the current scope. */
    public String qualify(String local) {
        return scopes.isEmpty() ? local : prefix() + "." + local;
    }

    // ---- graph inputs, outputs, parameters and constants ----

    public Value input(String name, DataType dtype, Object... dims) {
        Value v = new Value(name, new TensorType(dtype, Shape.of(dims)));
        return graph.addInput(v);
    }

    /** Marks a value as a graph output, renaming it when a name is given. */
    public Value output(Value v, String name) {
        if (name != null && !name.equals(v.name())) {
            if (v.producer() == null || graph.outputs().contains(v)) {
                v = ops.identity(v);
            }
            v.setName(graph.uniqueName(name));
        }
        return graph.addOutput(v);
    }

    /** A trainable or stored parameter named in the current scope, e.g. "layer1.0.conv1.weight". */
    public Value param(String local, Tensor value) {
        return graph.addInitializer(qualify(local), value);
    }

    /** An anonymous constant (shapes, axes, scalars): an initializer with a generated name. */
    public Value constant(Tensor value) {
        String base = namePrefix != null ? namePrefix + "/const" : qualify("const");
        return graph.addInitializer(graph.uniqueName(base), value);
    }

    public Value constant(long... values) {
        return constant(Tensor.vector(values));
    }

    public Value scalar(float value) {
        return constant(Tensor.scalar(value));
    }

    // ---- nodes ----

    /** Adds one node of {@code opType} with one output; attributes are already typed. */
    public Value op(String opType, List<Value> inputs, Map<String, Attr> attrs) {
        return op(opType, inputs, attrs, 1).get(0);
    }

    public List<Value> op(String opType, List<Value> inputs, Map<String, Attr> attrs, int outputs) {
        return op("", opType, inputs, attrs, outputs);
    }

    public List<Value> op(String domain, String opType, List<Value> inputs, Map<String, Attr> attrs, int outputs) {
        String base = namePrefix != null ? namePrefix + "/" + opType
                : scopes.isEmpty() ? opType : prefix() + "/" + opType;
        String nodeName = graph.uniqueName(base);
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            outs.add(new Value(graph.uniqueName(outputs == 1 ? nodeName + "_out" : nodeName + "_out" + i), null));
        }
        Node n = new Node(domain, opType, nodeName, inputs, outs);
        attrs.forEach(n::attr);
        if (!domain.isEmpty()) {
            opsetImports.putIfAbsent(domain, 1L);
        }
        if (inferTypes) {
            ShapeInference.inferNode(n, opset);
        }
        insert(n);
        return outs;
    }

    private void insert(Node n) {
        if (anchor == null) {
            graph.addNode(n);
        } else if (insertAfter) {
            graph.insertAfter(anchor, n);
            anchor = n; // the next node goes after this one, so built order is kept
        } else {
            graph.insertBefore(anchor, n);
        }
    }

    /** Finishes a new model: opset imports, producer and IR version set. */
    public Model build() {
        Model m = new Model(graph);
        m.opsetImports().put("", opset);
        m.opsetImports().putAll(opsetImports);
        m.setProducerName("lathe");
        m.setProducerVersion(Model.class.getPackage().getImplementationVersion() == null ? "dev"
                : Model.class.getPackage().getImplementationVersion());
        return m;
    }
}

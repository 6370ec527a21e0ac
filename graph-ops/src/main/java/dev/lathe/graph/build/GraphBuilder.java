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
 * Appends typed nodes to a graph. Module scopes ({@link #scope}) prefix parameter names exactly like PyTorch
 * {@code state_dict} keys ({@code layer1.0.conv1.weight}) and name nodes after the module that made them.
 * Every node is type-checked as it is built; a bad node fails at once with a message naming it.
 *
 * <pre>{@code
 * GraphBuilder b = new GraphBuilder("net", 17);
 * Value x = b.input("input", DataType.FLOAT, "N", 3, 32, 32);
 * try (var s = b.scope("conv1")) { x = b.ops().conv(x, b.param("weight", w), null, ConvAttrs.same(3)); }
 * b.output(b.ops().relu(x), "logits");
 * Model m = b.build();
 * }</pre>
 */
public final class GraphBuilder {
    private final Graph graph;
    private final long opset;
    private final Deque<String> scopes = new ArrayDeque<>();
    private final Ops ops = new Ops(this);
    private final Map<String, Long> extraOpsets = new LinkedHashMap<>();

    public GraphBuilder(String graphName, long opset) {
        this.graph = new Graph(graphName);
        this.opset = opset;
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
        return graph.addInitializer(graph.uniqueName(qualify("const")), value);
    }

    public Value constant(long... values) {
        return constant(Tensor.vector(values));
    }

    public Value scalar(float value) {
        return constant(Tensor.scalar(value));
    }

    /** Appends one node of {@code opType} with one output; attributes are already typed. */
    public Value op(String opType, List<Value> inputs, Map<String, Attr> attrs) {
        return op(opType, inputs, attrs, 1).get(0);
    }

    public List<Value> op(String opType, List<Value> inputs, Map<String, Attr> attrs, int outputs) {
        return op("", opType, inputs, attrs, outputs);
    }

    public List<Value> op(String domain, String opType, List<Value> inputs, Map<String, Attr> attrs, int outputs) {
        String base = scopes.isEmpty() ? opType : prefix() + "/" + opType;
        String nodeName = graph.uniqueName(base);
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            outs.add(new Value(graph.uniqueName(outputs == 1 ? nodeName + "_out" : nodeName + "_out" + i), null));
        }
        Node n = new Node(domain, opType, nodeName, inputs, outs);
        attrs.forEach(n::attr);
        if (!domain.isEmpty()) {
            extraOpsets.putIfAbsent(domain, 1L);
        }
        ShapeInference.inferNode(n, opset);
        graph.addNode(n);
        return outs;
    }

    /** Finishes the model: opset imports, producer and IR version set. */
    public Model build() {
        Model m = new Model(graph);
        m.opsetImports().put("", opset);
        m.opsetImports().putAll(extraOpsets);
        m.setProducerName("lathe");
        m.setProducerVersion(Model.class.getPackage().getImplementationVersion() == null ? "dev"
                : Model.class.getPackage().getImplementationVersion());
        return m;
    }
}

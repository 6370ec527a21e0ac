package dev.lathe.graph.autodiff;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends ordinary ai.onnx nodes to a graph for the backward pass and the train step. Unlike the builder DSL it does
 * not run shape inference on every node: gradient intermediates need no types (the rules read shapes only from the
 * forward values), and the engine types each finished gradient like the value it belongs to. Nodes are named
 * {@code <prefix>/<OpType>} so a gradient graph reads back to the forward node it came from.
 */
public final class Emitter {
    private final Graph graph;
    private final long opset;
    private String prefix = "grad";

    public Emitter(Graph graph, long opset) {
        this.graph = graph;
        this.opset = opset;
    }

    public Graph graph() {
        return graph;
    }

    public long opset() {
        return opset;
    }

    /** Names the nodes emitted from now on after {@code prefix} (usually the forward node being differentiated). */
    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public static Map<String, Attr> attrs(Object... kv) {
        Map<String, Attr> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Attr) kv[i + 1]);
        }
        return m;
    }

    public Value op(String type, Map<String, Attr> attrs, Value... inputs) {
        return op(type, attrs, 1, inputs).get(0);
    }

    public Value op(String type, Value... inputs) {
        return op(type, Map.of(), inputs);
    }

    public List<Value> op(String type, Map<String, Attr> attrs, int outputs, Value... inputs) {
        String nodeName = graph.uniqueName(prefix + "/" + type);
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            outs.add(new Value(graph.uniqueName(nodeName + (outputs == 1 ? "" : ":" + i)), null));
        }
        Node n = new Node("", type, nodeName, Arrays.asList(inputs), outs);
        attrs.forEach(n::attr);
        graph.addNode(n);
        return outs;
    }

    /** Sets a value's type and returns it (for values whose type the caller knows). */
    public static Value typed(Value v, DataType dtype, long... dims) {
        v.setType(TensorType.of(dtype, dims));
        return v;
    }

    // ---- constants ----

    public Value constant(Tensor t) {
        return graph.addInitializer(graph.uniqueName(prefix + "/const"), t);
    }

    public Value ints(long... values) {
        return constant(Tensor.vector(values));
    }

    /** A scalar of a floating type (FLOAT or DOUBLE). */
    public Value scalar(DataType dtype, double value) {
        return constant(filled(dtype, value));
    }

    /** A tensor of {@code dims} filled with {@code value}, in FLOAT or DOUBLE. */
    public static Tensor filled(DataType dtype, double value, long... dims) {
        int n = (int) Tensor.numel(dims);
        if (dtype == DataType.DOUBLE) {
            double[] d = new double[n];
            Arrays.fill(d, value);
            return Tensor.ofDoubles(dims, d);
        }
        if (dtype == DataType.FLOAT) {
            float[] f = new float[n];
            Arrays.fill(f, (float) value);
            return Tensor.ofFloats(dims, f);
        }
        throw new IllegalArgumentException("floating constants are FLOAT or DOUBLE, not " + dtype);
    }

    /** Converts a float array to a tensor of {@code dtype} (FLOAT or DOUBLE). */
    public static Tensor fromDoubles(DataType dtype, long[] dims, double[] values) {
        if (dtype == DataType.DOUBLE) {
            return Tensor.ofDoubles(dims, values);
        }
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putFloat((float) v);
        }
        b.flip();
        return Tensor.of(dtype, dims, b);
    }

    // ---- common shapes of nodes ----

    public Value add(Value a, Value b) {
        return op("Add", a, b);
    }

    public Value sub(Value a, Value b) {
        return op("Sub", a, b);
    }

    public Value mul(Value a, Value b) {
        return op("Mul", a, b);
    }

    public Value div(Value a, Value b) {
        return op("Div", a, b);
    }

    public Value neg(Value a) {
        return op("Neg", a);
    }

    public Value reshape(Value x, long... shape) {
        return op("Reshape", x, ints(shape));
    }

    public Value transpose(Value x, long... perm) {
        return op("Transpose", attrs("perm", Attr.of(perm)), x);
    }

    public Value reduceSum(Value x, boolean keepDims, long... axes) {
        return op("ReduceSum", attrs("keepdims", Attr.of(keepDims ? 1L : 0L)), x, ints(axes));
    }

    public Value reduceMean(Value x, boolean keepDims, long... axes) {
        if (opset < 18) { // axes moved from attribute to input in opset 18
            return op("ReduceMean", attrs("keepdims", Attr.of(keepDims ? 1L : 0L), "axes", Attr.of(axes)), x);
        }
        return op("ReduceMean", attrs("keepdims", Attr.of(keepDims ? 1L : 0L)), x, ints(axes));
    }

    public Value expand(Value x, long... shape) {
        return op("Expand", x, ints(shape));
    }

    public Value cast(Value x, DataType to) {
        return op("Cast", attrs("to", Attr.of((long) to.code())), x);
    }

    public Value unsqueeze(Value x, long... axes) {
        return op("Unsqueeze", x, ints(axes));
    }

    /** Zeros shaped like a forward value (for a gradient that no path reaches). */
    public Value zerosLike(Value forward) {
        return constant(filled(forward.dtype(), 0.0, staticShape(forward)));
    }

    /** Static sizes of a forward value; gradient graphs are built for fixed shapes (the batch size included). */
    public static long[] staticShape(Value v) {
        Shape s = v.shape();
        if (s == null || !s.isStatic()) {
            throw new IllegalArgumentException("autodiff needs a static shape for value '" + v.name() + "', got "
                    + (s == null ? "no shape" : s) + "; build the graph for a fixed batch size");
        }
        return s.toArray();
    }
}

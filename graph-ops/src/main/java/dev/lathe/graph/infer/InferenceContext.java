package dev.lathe.graph.infer;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;

/** What a rule sees of the node it types: input types, constant inputs, attributes and the opset. */
public final class InferenceContext {
    private final Node node;
    private final long opset;

    InferenceContext(Node node, long opset) {
        this.node = node;
        this.opset = opset;
    }

    public Node node() {
        return node;
    }

    public long opset() {
        return opset;
    }

    public int inputCount() {
        return node.inputs().size();
    }

    public boolean hasInput(int i) {
        return node.input(i) != null;
    }

    /** Type of input i; fails naming the node when the input is absent or untyped. */
    public TensorType input(int i) {
        Value v = node.input(i);
        if (v == null) {
            throw fail("input " + i + " is missing");
        }
        if (v.type() == null) {
            throw fail("input " + i + " ('" + v.name() + "') has no known type");
        }
        return v.type();
    }

    public Shape shape(int i) {
        TensorType t = input(i);
        if (t.shape() == null) {
            throw fail("input " + i + " ('" + node.input(i).name() + "') has unknown rank");
        }
        return t.shape();
    }

    public DataType dtype(int i) {
        return input(i).dtype();
    }

    /** The constant value of input i (initializer or Constant node output), or null if not constant. */
    public Tensor constant(int i) {
        Value v = node.input(i);
        return v == null ? null : Constants.valueOf(v);
    }

    /** Input i evaluated as a shape value (constant or computed from shapes), or null. */
    public ShapeValue shapeValue(int i) {
        return ShapeValue.of(node.input(i));
    }

    /** The number of outputs the node declares. */
    public int outputCount() {
        return node.outputs().size();
    }

    public Attr attr(String name) {
        return node.attr(name);
    }

    public long attrInt(String name, long fallback) {
        return node.attrInt(name, fallback);
    }

    public float attrFloat(String name, float fallback) {
        return node.attrFloat(name, fallback);
    }

    public long[] attrInts(String name, long[] fallback) {
        return node.attrInts(name, fallback);
    }

    public String attrString(String name, String fallback) {
        return node.attrString(name, fallback);
    }

    public ShapeInferenceException fail(String message) {
        return new ShapeInferenceException(node.describe() + ": " + message);
    }
}

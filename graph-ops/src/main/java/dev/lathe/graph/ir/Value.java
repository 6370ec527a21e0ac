package dev.lathe.graph.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A named tensor flowing through a graph. It knows the node that produces it (null for graph inputs and
 * initializers) and every use as (node, input index). Use lists change only through {@link Node} and
 * {@link #replaceAllUsesWith}, never by hand.
 */
public final class Value {
    private String name;
    private TensorType type;
    private Tensor constValue;
    private byte[] opaqueType;
    private String docString = "";
    Node producer;
    /** The graph that holds this value as an input or initializer (node outputs belong to their producer's). */
    Graph owner;
    int outputIndex = -1;
    final List<Use> uses = new ArrayList<>();

    /** One consumer: {@code node.inputs().get(index) == this}. */
    public record Use(Node node, int index) {}

    public Value(String name, TensorType type) {
        this.name = name;
        this.type = type;
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** The inferred or declared type; null when not known yet. */
    public TensorType type() {
        return type;
    }

    public void setType(TensorType type) {
        this.type = type;
    }

    /**
     * The serialized ONNX TypeProto of a value that is not a tensor (a sequence, optional, map or sparse tensor),
     * kept verbatim and written back unchanged; null for tensors. Such values have no {@link #type()}.
     */
    public byte[] opaqueType() {
        return opaqueType;
    }

    public void setOpaqueType(byte[] typeProto) {
        this.opaqueType = typeProto;
    }

    public Shape shape() {
        return type == null ? null : type.shape();
    }

    public DataType dtype() {
        return type == null ? DataType.UNDEFINED : type.dtype();
    }

    /** The constant tensor of an initializer, else null. */
    public Tensor constValue() {
        return constValue;
    }

    /** Sets the initializer data; also fixes the value's type to the tensor's. */
    public void setConstValue(Tensor t) {
        this.constValue = t;
        if (t != null) {
            this.type = t.type();
        }
    }

    public boolean isInitializer() {
        return constValue != null;
    }

    public Node producer() {
        return producer;
    }

    public int outputIndex() {
        return outputIndex;
    }

    public List<Use> uses() {
        return Collections.unmodifiableList(uses);
    }

    /** Distinct consumer nodes in use order. */
    public List<Node> consumers() {
        List<Node> out = new ArrayList<>();
        for (Use u : uses) {
            if (!out.contains(u.node())) {
                out.add(u.node());
            }
        }
        return out;
    }

    public String docString() {
        return docString;
    }

    public void setDocString(String docString) {
        this.docString = docString == null ? "" : docString;
    }

    /** The graph this value lives in (its producer's, or the one it is an input or initializer of), else null. */
    public Graph graph() {
        return producer != null ? producer.graph : owner;
    }

    /** Points every consumer of this value at {@code other}; graph outputs stay as they are. */
    public void replaceAllUsesWith(Value other) {
        replaceAllUsesWith(other, false);
    }

    /**
     * Points every consumer of this value at {@code other}, and with {@code replaceGraphOutputs} every position of
     * this value in its graph's output list too (as ir-py's {@code replace_all_uses_with}). Names do not move: a
     * caller that must keep an output's name renames the values itself.
     */
    public void replaceAllUsesWith(Value other, boolean replaceGraphOutputs) {
        if (other == this) {
            return;
        }
        for (Use u : new ArrayList<>(uses)) {
            u.node().replaceInput(u.index(), other);
        }
        Graph g = graph();
        if (replaceGraphOutputs && g != null) {
            for (int i = 0; i < g.outputs().size(); i++) {
                if (g.outputs().get(i) == this) {
                    g.setOutput(i, other);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "%" + name + (type == null ? "" : ":" + type);
    }
}

package dev.lathe.graph.autodiff;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What a backward rule sees: the forward node, the gradients of its outputs, which input gradients to emit. */
public final class BackwardContext {
    private final Node node;
    private final Ops ops;
    private final Value[] outGrads;
    private final boolean[] needs;

    BackwardContext(Node node, Ops ops, Value[] outGrads, boolean[] needs) {
        this.node = node;
        this.ops = ops;
        this.outGrads = outGrads;
        this.needs = needs;
    }

    public Node node() {
        return node;
    }

    /** Adds the backward nodes (named after the forward node, untyped). */
    public Ops ops() {
        return ops;
    }

    /** The ai.onnx opset the graph is built for. */
    public long opset() {
        return ops.builder().opset();
    }

    public Value in(int i) {
        return node.input(i);
    }

    public Value out(int i) {
        return node.output(i);
    }

    /** Gradient flowing into output i, or null when nothing downstream of it reaches the loss. */
    public Value grad(int i) {
        return i < outGrads.length ? outGrads[i] : null;
    }

    /** Gradient of output i, or zeros of its shape when no gradient reaches it. */
    public Value gradOrZeros(int i) {
        Value g = grad(i);
        return g != null ? g : ops.zerosLike(out(i));
    }

    /** Whether the engine wants the gradient of input i. */
    public boolean needs(int i) {
        return i < needs.length && needs[i];
    }

    public boolean needsAny() {
        for (boolean b : needs) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    public int inputCount() {
        return node.inputs().size();
    }

    public long[] shape(Value v) {
        return Ops.staticShape(v);
    }

    /** The floating type the node computes in (that of its first output). */
    public DataType dtype() {
        return node.output(0).dtype();
    }

    public Value scalar(double v) {
        return ops.scalar(dtype(), v);
    }

    public long attrInt(String key, long fallback) {
        return node.attrInt(key, fallback);
    }

    public long[] attrInts(String key, long[] fallback) {
        return node.attrInts(key, fallback);
    }

    public float attrFloat(String key, float fallback) {
        return node.attrFloat(key, fallback);
    }

    public IllegalArgumentException fail(String message) {
        return new IllegalArgumentException("backward of " + node.describe() + ": " + message);
    }

    /**
     * Sums a gradient of shape {@code from} (the broadcast result) back to the shape of {@code target}: ReduceSum over
     * the leading axes the target lacks and the axes where the target has size 1, then Reshape to the target's rank.
     */
    public Value unbroadcast(Value g, long[] from, Value target) {
        long[] to = shape(target);
        int lead = from.length - to.length;
        if (lead < 0) {
            throw fail("cannot un-broadcast " + Arrays.toString(from) + " to larger " + Arrays.toString(to));
        }
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < from.length; i++) {
            if (i < lead || (to[i - lead] == 1 && from[i] != 1)) {
                axes.add((long) i);
            }
        }
        Value r = g;
        if (!axes.isEmpty()) {
            r = ops.reduceSum(g, true, axes.stream().mapToLong(Long::longValue).toArray());
        }
        if (lead > 0) {
            r = ops.reshape(r, to);
        }
        return r;
    }

    /** The constant behind input i (an initializer), or a failure naming what the rule needed. */
    public long[] constInts(int i, String what) {
        Value v = in(i);
        if (v == null || v.constValue() == null) {
            throw fail(what + " (input " + i + ") must be a constant initializer");
        }
        return v.constValue().toLongs();
    }
}

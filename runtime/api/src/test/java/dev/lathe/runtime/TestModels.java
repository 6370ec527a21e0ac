package dev.lathe.runtime;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.List;

/** Small models built in Java whose outputs a test can compute by hand. */
public final class TestModels {
    /** Weights and bias of {@link #affineRelu()}. */
    public static final float[] W = {0.5f, -1f, 2f, 0.25f};
    public static final float[] B = {0.1f, 0.2f, -0.3f, 0.4f};
    /** Name of the intermediate x*w in {@link #affineRelu()}. */
    public static final String HIDDEN = "scaled";

    private TestModels() {}

    /** y[N,4] = relu(x[N,4] * W + B); the product x*W is the intermediate named {@link #HIDDEN}. */
    public static Model affineRelu() {
        GraphBuilder b = new GraphBuilder("affine_relu", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 4);
        Value scaled = b.ops().mul(x, b.param("w", Tensor.ofFloats(new long[] {4}, W)));
        scaled.setName(HIDDEN);
        Value y = b.ops().relu(b.ops().add(scaled, b.param("b", Tensor.ofFloats(new long[] {4}, B))));
        b.output(y, "y");
        return b.build();
    }

    /** What {@link #affineRelu()} computes, for an [n,4] input. */
    public static float[] affineReluReference(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0f, x[i] * W[i % 4] + B[i % 4]);
        }
        return y;
    }

    /** sum[N,2] = a[N,2] + b[N,2]: two inputs sharing the symbolic batch. */
    public static Model twoInputs() {
        GraphBuilder b = new GraphBuilder("two_inputs", 17);
        Value a = b.input("a", DataType.FLOAT, "N", 2);
        Value c = b.input("b", DataType.FLOAT, "N", 2);
        b.output(b.ops().add(a, c), "sum");
        return b.build();
    }

    /**
     * One computation per element type: f16 squared, f64 doubled, i64 doubled, i32 doubled, bool negated, and int8 /
     * uint8 passed through.
     */
    public static Model everyDtype() {
        Graph g = new Graph("every_dtype");
        node(g, "Mul", DataType.FLOAT16, "h", "h_sq", 2);
        node(g, "Add", DataType.DOUBLE, "d", "d_twice", 2);
        node(g, "Add", DataType.INT64, "l", "l_twice", 2);
        node(g, "Add", DataType.INT32, "i", "i_twice", 2);
        node(g, "Not", DataType.BOOL, "p", "p_not", 1);
        node(g, "Identity", DataType.INT8, "s", "s_same", 1);
        node(g, "Identity", DataType.UINT8, "u", "u_same", 1);
        Model m = new Model(g);
        m.opsetImports().put("", 17L);
        return m;
    }

    /** idx = NonZero(x[4]): an output whose size depends on the data, not on input shapes. */
    public static Model nonZero() {
        Graph g = new Graph("non_zero");
        Value x = g.addInput(new Value("x", new TensorType(DataType.FLOAT, Shape.of(new long[] {4}))));
        Value idx = new Value("idx", new TensorType(DataType.INT64, Shape.of(1, null)));
        g.addNode(new Node("", "NonZero", "nz", List.of(x), List.of(idx)));
        g.addOutput(idx);
        Model m = new Model(g);
        m.opsetImports().put("", 17L);
        return m;
    }

    private static void node(Graph g, String op, DataType t, String in, String out, int arity) {
        Value x = g.addInput(new Value(in, new TensorType(t, Shape.of("N", 3))));
        Value y = new Value(out, new TensorType(t, Shape.of("N", 3)));
        g.addNode(new Node("", op, op + "_" + out, arity == 2 ? List.of(x, x) : List.of(x), List.of(y)));
        g.addOutput(y);
    }
}

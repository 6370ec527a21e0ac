package dev.lathe.graph.build;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed ai.onnx operators. Each method adds one node through its {@link GraphBuilder} at the builder's insertion
 * point (inferring the output type unless the builder is told not to); the methods read like the model:
 * {@code op.relu(op.batchNorm(op.conv(x, w, null, a), ...))}. Ops without a method here are built with
 * {@link #op(String, Map, Value...)}.
 */
public final class Ops {
    private final GraphBuilder b;

    Ops(GraphBuilder b) {
        this.b = b;
    }

    /** The builder behind these methods: its insertion point, naming and type inference apply to every call. */
    public GraphBuilder builder() {
        return b;
    }

    /** One node of any ai.onnx op with one output. */
    public Value op(String type, Map<String, Attr> attrs, Value... inputs) {
        return b.op(type, Arrays.asList(inputs), attrs);
    }

    public Value op(String type, Value... inputs) {
        return b.op(type, Arrays.asList(inputs), Map.of());
    }

    /** One node of any ai.onnx op with {@code outputs} outputs. */
    public List<Value> op(String type, Map<String, Attr> attrs, int outputs, Value... inputs) {
        return b.op(type, Arrays.asList(inputs), attrs, outputs);
    }

    /** Attributes from alternating keys and values: {@code attrs("axis", Attr.of(1L))}. */
    public static Map<String, Attr> attrs(Object... kv) {
        Map<String, Attr> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Attr) kv[i + 1]);
        }
        return m;
    }

    // ---- constants ----

    public Value constant(Tensor t) {
        return b.constant(t);
    }

    public Value ints(long... values) {
        return b.constant(values);
    }

    /** A scalar of a floating type (FLOAT or DOUBLE). */
    public Value scalar(DataType dtype, double value) {
        return b.constant(Tensor.filled(dtype, value));
    }

    /** Zeros shaped like {@code v} (which has a static shape), e.g. a gradient that no path reaches. */
    public Value zerosLike(Value v) {
        return b.constant(Tensor.filled(v.dtype(), 0.0, staticShape(v)));
    }

    /** Static sizes of a value, for graphs built for fixed shapes (autodiff, the train step). */
    public static long[] staticShape(Value v) {
        Shape s = v.shape();
        if (s == null || !s.isStatic()) {
            throw new IllegalArgumentException("autodiff needs a static shape for value '" + v.name() + "', got "
                    + (s == null ? "no shape" : s) + "; build the graph for a fixed batch size");
        }
        return s.toArray();
    }

    // ---- convolution and pooling ----

    /** Conv with optional bias (null for none). */
    public Value conv(Value x, Value w, Value bias, ConvAttrs a) {
        return bias == null ? op("Conv", a.toConv(), x, w) : op("Conv", a.toConv(), x, w, bias);
    }

    public Value maxPool(Value x, ConvAttrs a) {
        return op("MaxPool", a.toPool(), x);
    }

    /** AveragePool; {@code countIncludePad} as PyTorch's default (true). */
    public Value averagePool(Value x, ConvAttrs a, boolean countIncludePad) {
        Map<String, Attr> m = a.toPool();
        m.put("count_include_pad", Attr.of(countIncludePad ? 1L : 0L));
        return op("AveragePool", m, x);
    }

    public Value globalAveragePool(Value x) {
        return op("GlobalAveragePool", x);
    }

    // ---- normalization ----

    public Value batchNorm(Value x, Value scale, Value bias, Value mean, Value var, float eps) {
        return op("BatchNormalization", attrs("epsilon", Attr.of(eps)), x, scale, bias, mean, var);
    }

    public Value layerNorm(Value x, Value scale, Value bias, long axis, float eps) {
        return op("LayerNormalization", attrs("axis", Attr.of(axis), "epsilon", Attr.of(eps)), x, scale, bias);
    }

    // ---- elementwise ----

    public Value relu(Value x) {
        return op("Relu", x);
    }

    public Value sigmoid(Value x) {
        return op("Sigmoid", x);
    }

    public Value tanh(Value x) {
        return op("Tanh", x);
    }

    public Value exp(Value x) {
        return op("Exp", x);
    }

    public Value erf(Value x) {
        return op("Erf", x);
    }

    public Value sqrt(Value x) {
        return op("Sqrt", x);
    }

    public Value reciprocal(Value x) {
        return op("Reciprocal", x);
    }

    public Value abs(Value x) {
        return op("Abs", x);
    }

    public Value neg(Value x) {
        return op("Neg", x);
    }

    public Value softplus(Value x) {
        return op("Softplus", x);
    }

    public Value cast(Value x, DataType to) {
        return op("Cast", attrs("to", Attr.of((long) to.code())), x);
    }

    public Value identity(Value x) {
        return op("Identity", x);
    }

    /** Clip to [min, max] (ReLU6 is clip(x, 0, 6)). */
    public Value clip(Value x, float min, float max) {
        return op("Clip", x, b.scalar(min), b.scalar(max));
    }

    public Value add(Value x, Value y) {
        return op("Add", x, y);
    }

    public Value sub(Value x, Value y) {
        return op("Sub", x, y);
    }

    public Value mul(Value x, Value y) {
        return op("Mul", x, y);
    }

    public Value div(Value x, Value y) {
        return op("Div", x, y);
    }

    public Value pow(Value x, Value y) {
        return op("Pow", x, y);
    }

    public Value min(Value... xs) {
        return op("Min", xs);
    }

    public Value max(Value... xs) {
        return op("Max", xs);
    }

    public Value where(Value cond, Value x, Value y) {
        return op("Where", cond, x, y);
    }

    public Value less(Value x, Value y) {
        return op("Less", x, y);
    }

    // ---- linear algebra ----

    public Value matMul(Value x, Value y) {
        return op("MatMul", x, y);
    }

    /** Gemm y = x @ w^T + bias, the form torch.onnx emits for nn.Linear. */
    public Value gemm(Value x, Value w, Value bias, boolean transB) {
        Map<String, Attr> a = attrs("transB", Attr.of(transB ? 1L : 0L));
        return bias == null ? op("Gemm", a, x, w) : op("Gemm", a, x, w, bias);
    }

    // ---- shape ----

    public Value flatten(Value x, long axis) {
        return op("Flatten", attrs("axis", Attr.of(axis)), x);
    }

    public Value reshape(Value x, long... shape) {
        return op("Reshape", x, b.constant(shape));
    }

    public Value reshape(Value x, Value shape) {
        return op("Reshape", x, shape);
    }

    public Value transpose(Value x, long... perm) {
        return op("Transpose", attrs("perm", Attr.of(perm)), x);
    }

    public Value concat(long axis, Value... xs) {
        return op("Concat", attrs("axis", Attr.of(axis)), xs);
    }

    public List<Value> split(Value x, long axis, long... sizes) {
        List<Value> in = new ArrayList<>(List.of(x, b.constant(sizes)));
        return b.op("Split", in, attrs("axis", Attr.of(axis)), sizes.length);
    }

    public Value slice(Value x, long[] starts, long[] ends, long[] axes, long[] steps) {
        return op("Slice", x, b.constant(starts), b.constant(ends), b.constant(axes), b.constant(steps));
    }

    public Value unsqueeze(Value x, long... axes) {
        return op("Unsqueeze", x, b.constant(axes));
    }

    public Value squeeze(Value x, long... axes) {
        return op("Squeeze", x, b.constant(axes));
    }

    /** Constant-mode Pad with zeros; {@code pads} is ONNX's [x1_begin, x2_begin, ..., x1_end, x2_end, ...]. */
    public Value pad(Value x, long... pads) {
        return op("Pad", attrs("mode", Attr.of("constant")), x, b.constant(pads));
    }

    public Value tile(Value x, long... repeats) {
        return op("Tile", x, b.constant(repeats));
    }

    public Value expand(Value x, long... shape) {
        return op("Expand", x, b.constant(shape));
    }

    public Value shape(Value x) {
        return op("Shape", x);
    }

    public Value gather(Value x, Value indices, long axis) {
        return op("Gather", attrs("axis", Attr.of(axis)), x, indices);
    }

    // ---- reductions and softmax ----

    public Value reduceMean(Value x, boolean keepDims, long... axes) {
        if (b.opset() < 18) { // axes became an input in opset 18
            return op("ReduceMean", attrs("keepdims", Attr.of(keepDims ? 1L : 0L), "axes", Attr.of(axes)), x);
        }
        return op("ReduceMean", attrs("keepdims", Attr.of(keepDims ? 1L : 0L)), x, b.constant(axes));
    }

    public Value reduceSum(Value x, boolean keepDims, long... axes) {
        if (b.opset() < 13) { // ReduceSum's axes became an input in opset 13
            return op("ReduceSum", attrs("keepdims", Attr.of(keepDims ? 1L : 0L), "axes", Attr.of(axes)), x);
        }
        return op("ReduceSum", attrs("keepdims", Attr.of(keepDims ? 1L : 0L)), x, b.constant(axes));
    }

    public Value reduceL2(Value x, boolean keepDims, long... axes) {
        if (b.opset() < 18) { // axes became an input in opset 18
            return op("ReduceL2", attrs("keepdims", Attr.of(keepDims ? 1L : 0L), "axes", Attr.of(axes)), x);
        }
        return op("ReduceL2", attrs("keepdims", Attr.of(keepDims ? 1L : 0L)), x, b.constant(axes));
    }

    public Value softmax(Value x, long axis) {
        return op("Softmax", attrs("axis", Attr.of(axis)), x);
    }

    public Value logSoftmax(Value x, long axis) {
        return op("LogSoftmax", attrs("axis", Attr.of(axis)), x);
    }
}

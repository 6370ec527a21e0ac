package dev.lathe.pruning.graph;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The channel handler table: one rule per ONNX op kind the pruner can follow, taken from the family classes
 * ({@link ConvHandlers}, {@link ElementwiseHandlers}, {@link NormHandlers}, {@link LinearHandlers},
 * {@link IndexingHandlers}, {@link ShapeHandlers}, {@link ReduceHandlers}, {@link ResizePadHandlers}), and the helpers
 * several families share.
 */
public final class ChannelHandlers {
    private ChannelHandlers() {}

    /** Ops applied channel-for-channel to their first input; other inputs (Clip bounds) are scalars. */
    static final List<String> UNARY = List.of("Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
            "Elu", "Selu", "Celu", "Gelu", "Softplus", "Softsign", "Mish", "Erf", "Exp", "Log", "Abs", "Neg", "Sqrt",
            "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Identity", "Cast", "Clip", "Dropout",
            "ThresholdedRelu", "Shrink", "Not", "IsNaN", "IsInf");
    /** Broadcasting ops whose inputs' channel axes must coincide. */
    static final List<String> ELEMENTWISE = List.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean",
            "Where", "PRelu", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Mod",
            "BitShift");
    static final List<String> POOLS = List.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
            "GlobalLpPool");
    /** Reductions that stay exact when the removed channels hold zeros, so they may reduce over the channel axis. */
    static final List<String> SUM_LIKE_REDUCE = List.of("ReduceL2", "ReduceL1", "ReduceSum", "ReduceSumSquare");
    static final List<String> OTHER_REDUCE = List.of("ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
            "ReduceLogSumExp", "ReduceLogSum");

    public static Map<String, ChannelHandler> standard() {
        Map<String, ChannelHandler> m = new HashMap<>();
        UNARY.forEach(op -> m.put(op, ElementwiseHandlers::passThrough));
        POOLS.forEach(op -> m.put(op, ConvHandlers::pool));
        ELEMENTWISE.forEach(op -> m.put(op, ElementwiseHandlers::elementwise));
        SUM_LIKE_REDUCE.forEach(op -> m.put(op, ReduceHandlers::reduce));
        OTHER_REDUCE.forEach(op -> m.put(op, ReduceHandlers::reduce));
        m.put("Conv", ConvHandlers::conv);
        m.put("ConvTranspose", ConvHandlers::convTranspose);
        m.put("BatchNormalization", NormHandlers::batchNorm);
        m.put("InstanceNormalization", NormHandlers::batchNorm);
        m.put("LayerNormalization", NormHandlers::layerNorm);
        m.put("Gemm", LinearHandlers::gemm);
        m.put("MatMul", LinearHandlers::matMul);
        m.put("Concat", IndexingHandlers::concat);
        m.put("Split", IndexingHandlers::split);
        m.put("Slice", IndexingHandlers::slice);
        m.put("Flatten", ShapeHandlers::flatten);
        m.put("Reshape", ShapeHandlers::reshape);
        m.put("Transpose", ShapeHandlers::transpose);
        m.put("Tile", ShapeHandlers::tile);
        m.put("Expand", ShapeHandlers::expand);
        m.put("Unsqueeze", ShapeHandlers::unsqueeze);
        m.put("Squeeze", ShapeHandlers::squeeze);
        m.put("Softmax", ReduceHandlers::softmax);
        m.put("LogSoftmax", ReduceHandlers::softmax);
        m.put("Resize", ResizePadHandlers::resize);
        m.put("Pad", ResizePadHandlers::pad);
        // Shape and Size read only the shape; values computed from them follow the cut at run time.
        m.put("Shape", (n, ctx) -> { });
        m.put("Size", (n, ctx) -> { });
        return m;
    }

    static int normAxis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static ConstEdit edit(String what, Consumer<CutContext> action) {
        return new ConstEdit() {
            @Override
            public String describe() {
                return what;
            }

            @Override
            public void apply(CutContext ctx) {
                action.accept(ctx);
            }
        };
    }

    /** An integer vector of the same element type as {@code like}. */
    static Tensor intsLike(Tensor like, long[] values) {
        if (like != null && like.dtype() == DataType.INT32) {
            int[] v = new int[values.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (int) values[i];
            }
            return Tensor.ofInts(new long[] {v.length}, v);
        }
        return Tensor.vector(values);
    }

    /** Blocks any tracked input other than the first: the op follows the channels of input 0 only. */
    static boolean onlyFirstTracked(Node n, AnalysisContext ctx) {
        for (int i = 1; i < n.inputs().size(); i++) {
            if (ctx.track(n.input(i)) != null) {
                ctx.blockInputs(n, "reads channels on input " + i + ", which it cannot follow");
                return false;
            }
        }
        return true;
    }

    static boolean hasTracked(Node n, AnalysisContext ctx) {
        for (Value v : n.inputs()) {
            if (ctx.track(v) != null) {
                return true;
            }
        }
        return false;
    }

    static long[] ints(AnalysisContext ctx, Node n, int i) {
        Value v = n.input(i);
        if (v == null) {
            return null;
        }
        Tensor c = ctx.constant(v);
        return c == null ? null : c.toLongs();
    }
}

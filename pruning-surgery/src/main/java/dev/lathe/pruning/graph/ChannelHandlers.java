package dev.lathe.pruning.graph;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The channel handler table: one rule per ONNX op kind the pruner can follow. */
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
        UNARY.forEach(op -> m.put(op, ChannelHandlers::passThrough));
        POOLS.forEach(op -> m.put(op, ChannelHandlers::pool));
        ELEMENTWISE.forEach(op -> m.put(op, ChannelHandlers::elementwise));
        SUM_LIKE_REDUCE.forEach(op -> m.put(op, ChannelHandlers::reduce));
        OTHER_REDUCE.forEach(op -> m.put(op, ChannelHandlers::reduce));
        m.put("Conv", ChannelHandlers::conv);
        m.put("ConvTranspose", ChannelHandlers::convTranspose);
        m.put("BatchNormalization", ChannelHandlers::batchNorm);
        m.put("InstanceNormalization", ChannelHandlers::batchNorm);
        m.put("LayerNormalization", ChannelHandlers::layerNorm);
        m.put("Gemm", ChannelHandlers::gemm);
        m.put("MatMul", ChannelHandlers::matMul);
        m.put("Concat", ChannelHandlers::concat);
        m.put("Split", ChannelHandlers::split);
        m.put("Slice", ChannelHandlers::slice);
        m.put("Flatten", ChannelHandlers::flatten);
        m.put("Reshape", ChannelHandlers::reshape);
        m.put("Transpose", ChannelHandlers::transpose);
        m.put("Tile", ChannelHandlers::tile);
        m.put("Expand", ChannelHandlers::expand);
        m.put("Unsqueeze", ChannelHandlers::unsqueeze);
        m.put("Squeeze", ChannelHandlers::squeeze);
        m.put("Softmax", ChannelHandlers::softmax);
        m.put("LogSoftmax", ChannelHandlers::softmax);
        m.put("Resize", ChannelHandlers::resize);
        m.put("Pad", ChannelHandlers::pad);
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
    private static boolean onlyFirstTracked(Node n, AnalysisContext ctx) {
        for (int i = 1; i < n.inputs().size(); i++) {
            if (ctx.track(n.input(i)) != null) {
                ctx.blockInputs(n, "reads channels on input " + i + ", which it cannot follow");
                return false;
            }
        }
        return true;
    }

    static void passThrough(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null || !onlyFirstTracked(n, ctx)) {
            return;
        }
        ctx.alias(n.output(0), t.space(), t.axis(), t.rank());
    }

    static void pool(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        if (t.axis() != 1) {
            ctx.block(t.space(), n.describe() + " pools with channels on axis " + t.axis() + ", expected 1");
            return;
        }
        ctx.alias(n.output(0), t.space(), 1, t.rank());
    }

    static void elementwise(Node n, AnalysisContext ctx) {
        Track first = null;
        int outRank = 0;
        for (Value v : n.inputs()) {
            if (v == null) {
                continue;
            }
            Track t = ctx.track(v);
            if (t != null && first == null) {
                first = t;
            }
            int r = ctx.rank(v);
            if (r < 0 && !ctx.isConstantDerived(v)) {
                if (hasTracked(n, ctx)) {
                    ctx.blockInputs(n, "has an input of unknown rank (" + v.name() + ")");
                }
                return;
            }
            outRank = Math.max(outRank, r);
        }
        if (first == null) {
            return;
        }
        int outAxis = first.axis() + outRank - first.rank();
        int size = first.space().size();
        for (Value v : n.inputs()) {
            Track t = ctx.track(v);
            if (t != null && (t.axis() + outRank - t.rank() != outAxis || t.space().size() != size)) {
                ctx.blockInputs(n, "adds channels on different axes or of different counts");
                return;
            }
        }
        for (int i = 0; i < n.inputs().size(); i++) {
            Value v = n.input(i);
            Track t = ctx.track(v);
            if (v == null) {
                continue;
            }
            if (t != null) {
                if (t.space() != first.space()) {
                    for (int c = 0; c < size; c++) {
                        ctx.couple(first.space(), c, t.space(), c);
                    }
                }
                continue;
            }
            if (ctx.isConstantDerived(v)) {
                if (!ctx.sliceConstant(n, i, outAxis - outRank, first.space(), ParamRole.OTHER)) {
                    ctx.blockInputs(n, "has a constant input " + v.name() + " that cannot be cut along the channels");
                    return;
                }
                continue;
            }
            long[] dims = ctx.partialShape(v);
            int axis = outAxis - (outRank - (dims == null ? 0 : dims.length));
            if (dims == null || (axis >= 0 && dims[axis] != 1)) {
                ctx.blockInputs(n, "combines the channels with " + v.name()
                        + ", whose channels the pruner does not follow");
                return;
            }
        }
        ctx.alias(n.output(0), first.space(), outAxis, outRank);
    }

    private static boolean hasTracked(Node n, AnalysisContext ctx) {
        for (Value v : n.inputs()) {
            if (ctx.track(v) != null) {
                return true;
            }
        }
        return false;
    }

    static void conv(Node n, AnalysisContext ctx) {
        Tensor w = ctx.constant(n.input(1));
        Track tx = ctx.track(n.input(0));
        if (w == null || w.rank() < 3 || ctx.track(n.input(1)) != null
                || (n.input(2) != null && ctx.constant(n.input(2)) == null)) {
            if (tx != null) {
                ctx.blockInputs(n, "has a weight or bias that is not a constant");
            }
            return;
        }
        if (tx != null && tx.axis() != 1) {
            ctx.block(tx.space(), n.describe() + " reads channels on axis " + tx.axis() + ", expected 1");
            tx = null;
        }
        int m = (int) w.dim(0);
        int cpg = (int) w.dim(1);
        int g = (int) n.attrInt("group", 1);
        ChannelSpace out = ctx.newSpace(n.output(0), 1, w.rank(), m);
        ctx.slice(n, 1, 0, out, ParamSlice.identity(m), ParamRole.WEIGHT_OUT);
        if (n.input(2) != null) {
            ctx.slice(n, 2, 0, out, ParamSlice.identity(m), ParamRole.OTHER);
        }
        if (g == 1) {
            if (tx != null) {
                if (tx.space().size() != cpg) {
                    ctx.block(tx.space(), n.describe() + " expects " + cpg + " input channels, got "
                            + tx.space().size());
                } else {
                    ctx.slice(n, 1, 1, tx.space(), ParamSlice.identity(cpg), ParamRole.WEIGHT_IN);
                }
            }
            return;
        }
        int opg = m / g;
        if (cpg == 1 && tx != null && tx.space().size() == g) {
            // Depthwise (channel multiplier opg): input channel j owns output channels j*opg .. j*opg+opg-1, and the
            // group count shrinks with the input channels.
            ChannelSpace in = tx.space();
            for (int j = 0; j < g; j++) {
                for (int r = 0; r < opg; r++) {
                    ctx.couple(out, j * opg + r, in, j);
                }
            }
            ctx.edit(edit(n.describe() + " group", c -> c.setAttr(n, "group", new Attr.IntAttr(c.keptCount(in)))));
            return;
        }
        // Grouped: every group must keep the same positions, so position q is one unit across all groups.
        for (int q = 0; q < opg; q++) {
            for (int j = 1; j < g; j++) {
                ctx.couple(out, q, out, j * opg + q);
            }
        }
        if (tx != null) {
            if (tx.space().size() != (long) g * cpg) {
                ctx.block(tx.space(), n.describe() + " expects " + (g * cpg) + " input channels, got "
                        + tx.space().size());
                return;
            }
            for (int p = 0; p < cpg; p++) {
                for (int j = 1; j < g; j++) {
                    ctx.couple(tx.space(), p, tx.space(), j * cpg + p);
                }
            }
            ctx.slice(n, 1, 1, tx.space(), ParamSlice.identity(cpg), ParamRole.WEIGHT_IN);
        }
    }

    static void convTranspose(Node n, AnalysisContext ctx) {
        Tensor w = ctx.constant(n.input(1));
        Track tx = ctx.track(n.input(0));
        int g = (int) n.attrInt("group", 1);
        if (w == null || w.rank() < 3 || g != 1 || (n.input(2) != null && ctx.constant(n.input(2)) == null)) {
            if (tx != null) {
                ctx.blockInputs(n, g != 1 ? "is a grouped ConvTranspose, which the pruner does not cut"
                        : "has a weight or bias that is not a constant");
            }
            return;
        }
        int m = (int) w.dim(1);
        ChannelSpace out = ctx.newSpace(n.output(0), 1, w.rank(), m);
        ctx.slice(n, 1, 1, out, ParamSlice.identity(m), ParamRole.WEIGHT_OUT);
        if (n.input(2) != null) {
            ctx.slice(n, 2, 0, out, ParamSlice.identity(m), ParamRole.OTHER);
        }
        if (tx != null) {
            if (tx.axis() != 1 || tx.space().size() != w.dim(0)) {
                ctx.block(tx.space(), n.describe() + " reads channels it cannot follow");
            } else {
                ctx.slice(n, 1, 0, tx.space(), ParamSlice.identity((int) w.dim(0)), ParamRole.WEIGHT_IN);
            }
        }
    }

    static void batchNorm(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        if (t.axis() != 1 || n.outputs().size() > 1 || !onlyFirstTracked(n, ctx)) {
            ctx.block(t.space(), n.describe() + " (training outputs or channels off axis 1) is not cut");
            return;
        }
        for (int i = 1; i < n.inputs().size(); i++) {
            if (n.input(i) != null && !ctx.sliceConstant(n, i, -1, t.space(), i == 1 ? ParamRole.NORM_SCALE
                    : ParamRole.OTHER)) {
                ctx.block(t.space(), n.describe() + " input " + i + " is not a per-channel constant");
                return;
            }
        }
        ctx.alias(n.output(0), t.space(), 1, t.rank());
    }

    static void layerNorm(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null || !onlyFirstTracked(n, ctx)) {
            return;
        }
        int axis = normAxis(n.attrInt("axis", -1), t.rank());
        if (t.axis() >= axis) {
            // Normalised over the channels: scale and bias are indexed by them (right-aligned).
            for (int i = 1; i < n.inputs().size(); i++) {
                if (n.input(i) != null && !ctx.sliceConstant(n, i, t.axis() - t.rank(), t.space(),
                        i == 1 ? ParamRole.NORM_SCALE : ParamRole.OTHER)) {
                    ctx.block(t.space(), n.describe() + " input " + i + " is not a constant");
                    return;
                }
            }
        }
        ctx.alias(n.output(0), t.space(), t.axis(), t.rank());
    }

    static void gemm(Node n, AnalysisContext ctx) {
        Track ta = ctx.track(n.input(0));
        boolean transA = n.attrInt("transA", 0) == 1;
        boolean transB = n.attrInt("transB", 0) == 1;
        long[] b = ctx.constShape(n.input(1));
        if (b == null || b.length != 2 || !ctx.isConstantDerived(n.input(1))
                || (n.input(2) != null && !ctx.isConstantDerived(n.input(2)))) {
            if (ta != null) {
                ctx.blockInputs(n, "has a weight or bias that is not a constant");
            }
            return;
        }
        if (ta != null) {
            if (ta.axis() != (transA ? 0 : 1)) {
                ctx.block(ta.space(), n.describe() + " reads channels on its row axis");
            } else if (!ctx.sliceConstant(n, 1, transB ? -1 : -2, ta.space(), ParamRole.WEIGHT_IN)) {
                ctx.block(ta.space(), n.describe() + " weight cannot be cut along its input features");
            }
        }
        int features = (int) b[transB ? 0 : 1];
        ChannelSpace out = ctx.newSpace(n.output(0), 1, 2, features);
        if (!ctx.sliceConstant(n, 1, transB ? -2 : -1, out, ParamRole.WEIGHT_OUT)
                || (n.input(2) != null && !ctx.sliceConstant(n, 2, -1, out, ParamRole.OTHER))) {
            ctx.block(out, n.describe() + " output features cannot be cut");
        }
    }

    static void matMul(Node n, AnalysisContext ctx) {
        Track ta = ctx.track(n.input(0));
        Track tb = ctx.track(n.input(1));
        if (ta != null && tb != null && ta.rank() == tb.rank() && ta.axis() == tb.axis() && ta.axis() < ta.rank() - 2
                && ta.space().size() == tb.space().size()) {
            // Heads on a batch axis of both operands (q·kᵀ, attn·v): head h only meets head h.
            if (ta.space() != tb.space()) {
                for (int c = 0; c < ta.space().size(); c++) {
                    ctx.couple(ta.space(), c, tb.space(), c);
                }
            }
            ctx.alias(n.output(0), ta.space(), ta.axis(), ta.rank());
            return;
        }
        if (tb != null || !ctx.isConstantDerived(n.input(1))) {
            if (ta != null || ctx.track(n.input(1)) != null) {
                ctx.blockInputs(n, "multiplies two activations");
            }
            return;
        }
        long[] b = ctx.constShape(n.input(1));
        if (b == null || b.length != 2) {
            if (ta != null) {
                ctx.block(ta.space(), n.describe() + " weight is not a 2-D constant");
            }
            return;
        }
        int rank = ta != null ? ta.rank() : ctx.rank(n.input(0));
        if (ta != null && ta.axis() != ta.rank() - 1) {
            // Channels on a row or batch axis pass through a product with a weight.
            ctx.alias(n.output(0), ta.space(), ta.axis(), ta.rank());
            return;
        }
        if (ta != null && !ctx.sliceConstant(n, 1, -2, ta.space(), ParamRole.WEIGHT_IN)) {
            ctx.block(ta.space(), n.describe() + " weight cannot be cut along its input features");
        }
        if (rank < 1) {
            return;
        }
        int outRank = Math.max(rank, 2);
        ChannelSpace out = ctx.newSpace(n.output(0), outRank - 1, outRank, (int) b[1]);
        if (!ctx.sliceConstant(n, 1, -1, out, ParamRole.WEIGHT_OUT)) {
            ctx.block(out, n.describe() + " output features cannot be cut");
        }
    }

    static void concat(Node n, AnalysisContext ctx) {
        if (!hasTracked(n, ctx)) {
            return;
        }
        Track any = null;
        for (Value v : n.inputs()) {
            if (ctx.track(v) != null) {
                any = ctx.track(v);
                break;
            }
        }
        int rank = any.rank();
        int axis = normAxis(n.attrInt("axis", 0), rank);
        boolean alongChannels = true;
        for (Value v : n.inputs()) {
            Track t = ctx.track(v);
            if (t != null && t.axis() != axis) {
                alongChannels = false;
            }
        }
        if (!alongChannels) {
            elementwiseSameAxis(n, ctx, rank);
            return;
        }
        int[] sizes = new int[n.inputs().size()];
        int total = 0;
        for (int i = 0; i < sizes.length; i++) {
            Track t = ctx.track(n.input(i));
            if (t != null) {
                sizes[i] = t.space().size();
            } else {
                long[] d = ctx.partialShape(n.input(i));
                if (d == null || d.length != rank || d[axis] < 0) {
                    ctx.blockInputs(n, "concatenates " + n.input(i).name() + " of unknown channel count");
                    return;
                }
                sizes[i] = (int) d[axis];
            }
            total += sizes[i];
        }
        ChannelSpace out = ctx.newSpace(n.output(0), axis, rank, total);
        int off = 0;
        for (int i = 0; i < sizes.length; i++) {
            Track t = ctx.track(n.input(i));
            if (t != null) {
                for (int c = 0; c < sizes[i]; c++) {
                    ctx.couple(out, off + c, t.space(), c);
                }
            } else {
                ctx.block(out, off, off + sizes[i], n.describe() + " input " + n.input(i).name()
                        + " has channels the pruner does not follow");
            }
            off += sizes[i];
        }
    }

    /** Concat along a non-channel axis: every input must carry the same channels on the same axis. */
    private static void elementwiseSameAxis(Node n, AnalysisContext ctx, int rank) {
        Track first = null;
        for (Value v : n.inputs()) {
            Track t = ctx.track(v);
            if (t == null || (first != null && (t.axis() != first.axis() || t.space().size() != first.space().size()))) {
                ctx.blockInputs(n, "joins inputs whose channels do not line up");
                return;
            }
            if (first == null) {
                first = t;
            } else {
                for (int c = 0; c < t.space().size(); c++) {
                    ctx.couple(first.space(), c, t.space(), c);
                }
            }
        }
        ctx.alias(n.output(0), first.space(), first.axis(), rank);
    }

    static void split(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        int axis = normAxis(n.attrInt("axis", 0), t.rank());
        if (t.axis() != axis) {
            for (Value o : n.outputs()) {
                ctx.alias(o, t.space(), t.axis(), t.rank());
            }
            return;
        }
        int outs = n.outputs().size();
        long[] sizes = null;
        boolean fromInput = n.inputs().size() > 1 && n.input(1) != null;
        if (fromInput) {
            Tensor s = ctx.constant(n.input(1));
            if (s == null) {
                ctx.block(t.space(), n.describe() + " has computed split sizes");
                return;
            }
            sizes = s.toLongs();
        } else if (n.attr("split") != null) {
            sizes = n.attrInts("split", null);
        } else {
            int c = t.space().size();
            long chunk = (c + outs - 1) / outs;
            sizes = new long[outs];
            for (int i = 0; i < outs; i++) {
                sizes[i] = Math.min(chunk, c - chunk * i);
            }
        }
        long sum = Arrays.stream(sizes).sum();
        if (sum != t.space().size() || sizes.length != outs) {
            ctx.block(t.space(), n.describe() + " split sizes " + Arrays.toString(sizes) + " do not add up");
            return;
        }
        ChannelSpace[] pieces = new ChannelSpace[outs];
        int off = 0;
        for (int i = 0; i < outs; i++) {
            pieces[i] = ctx.newSpace(n.output(i), axis, t.rank(), (int) sizes[i]);
            for (int c = 0; c < sizes[i]; c++) {
                ctx.couple(t.space(), off + c, pieces[i], c);
            }
            off += (int) sizes[i];
        }
        Tensor like = fromInput ? ctx.constant(n.input(1)) : null;
        boolean asAttr = !fromInput && ctx.opset() < 13;
        ctx.edit(edit(n.describe() + " split sizes", c -> {
            long[] kept = new long[outs];
            for (int i = 0; i < outs; i++) {
                kept[i] = c.keptCount(pieces[i]);
            }
            if (asAttr) {
                c.setAttr(n, "split", new Attr.IntsAttr(kept));
            } else {
                c.setAttr(n, "num_outputs", null);
                c.setConstInput(n, 1, intsLike(like, kept));
            }
        }));
    }

    static void slice(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null || !onlyFirstTracked(n, ctx)) {
            return;
        }
        boolean attrs = ctx.opset() < 10;
        long[] starts = attrs ? n.attrInts("starts", null) : ints(ctx, n, 1);
        long[] ends = attrs ? n.attrInts("ends", null) : ints(ctx, n, 2);
        long[] axes = attrs ? n.attrInts("axes", null) : ints(ctx, n, 3);
        long[] steps = attrs ? null : ints(ctx, n, 4);
        if (starts == null || ends == null || (!attrs && ((n.input(3) != null && axes == null)
                || (n.input(4) != null && steps == null)))) {
            ctx.block(t.space(), n.describe() + " has computed bounds");
            return;
        }
        int entry = -1;
        for (int i = 0; i < starts.length; i++) {
            int ax = axes == null ? i : normAxis(axes[i], t.rank());
            if (ax == t.axis()) {
                entry = i;
            }
        }
        if (entry < 0) {
            ctx.alias(n.output(0), t.space(), t.axis(), t.rank());
            return;
        }
        if (steps != null && steps[entry] != 1) {
            ctx.block(t.space(), n.describe() + " slices the channels with step " + steps[entry]);
            return;
        }
        int c = t.space().size();
        int a = (int) clamp(starts[entry], c);
        int b = (int) clamp(ends[entry], c);
        if (b <= a) {
            ctx.block(t.space(), n.describe() + " selects no channels");
            return;
        }
        ChannelSpace out = ctx.newSpace(n.output(0), t.axis(), t.rank(), b - a);
        for (int j = 0; j < b - a; j++) {
            ctx.couple(out, j, t.space(), a + j);
        }
        ChannelSpace in = t.space();
        final int e = entry;
        final boolean endOpen = ends[entry] >= c;
        Tensor startsLike = attrs ? null : ctx.constant(n.input(1));
        Tensor endsLike = attrs ? null : ctx.constant(n.input(2));
        ctx.edit(edit(n.describe() + " bounds", cc -> {
            int[] kept = cc.kept(in);
            long[] s2 = starts.clone();
            long[] e2 = ends.clone();
            s2[e] = countBelow(kept, a);
            if (!endOpen) {
                e2[e] = countBelow(kept, b);
            }
            if (attrs) {
                cc.setAttr(n, "starts", new Attr.IntsAttr(s2));
                cc.setAttr(n, "ends", new Attr.IntsAttr(e2));
            } else {
                cc.setConstInput(n, 1, intsLike(startsLike, s2));
                cc.setConstInput(n, 2, intsLike(endsLike, e2));
            }
        }));
    }

    private static long[] ints(AnalysisContext ctx, Node n, int i) {
        Value v = n.input(i);
        if (v == null) {
            return null;
        }
        Tensor c = ctx.constant(v);
        return c == null ? null : c.toLongs();
    }

    private static long clamp(long v, int size) {
        if (v < 0) {
            v += size;
        }
        return Math.max(0, Math.min(size, v));
    }

    static int countBelow(int[] sorted, int bound) {
        int k = 0;
        while (k < sorted.length && sorted[k] < bound) {
            k++;
        }
        return k;
    }

    static void flatten(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        int axis = normAxis(n.attrInt("axis", 1), t.rank());
        if (t.axis() < axis) {
            ctx.block(t.space(), n.describe() + " merges the channels into the leading dimension");
            return;
        }
        long[] dims = ctx.partialShape(n.input(0));
        long outer = 1;
        long inner = 1;
        for (int i = axis; dims != null && i < dims.length; i++) {
            if (i == t.axis()) {
                continue;
            }
            if (dims[i] < 0) {
                dims = null;
                break;
            }
            if (i < t.axis()) {
                outer *= dims[i];
            } else {
                inner *= dims[i];
            }
        }
        if (dims == null) {
            ctx.block(t.space(), n.describe() + " needs the static shape of its input");
            return;
        }
        mergeChannels(ctx, n.output(0), 1, 2, t.space(), outer, inner);
    }

    /** Output axis of size outer*C*inner where channel c sits at (o*C + c)*inner + r. */
    private static void mergeChannels(AnalysisContext ctx, Value out, int axis, int rank, ChannelSpace in, long outer,
            long inner) {
        int c = in.size();
        if (outer == 1 && inner == 1) {
            ctx.alias(out, in, axis, rank);
            return;
        }
        ChannelSpace s = ctx.newSpace(out, axis, rank, (int) (outer * c * inner));
        for (int o = 0; o < outer; o++) {
            for (int ch = 0; ch < c; ch++) {
                for (int r = 0; r < inner; r++) {
                    ctx.couple(s, (int) ((o * c + ch) * inner + r), in, ch);
                }
            }
        }
    }

    /** Stand-in for a dynamic leading dimension (the batch) while matching reshape products. */
    private static final long UNKNOWN_LEADING = 1_000_003L;

    static void reshape(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        Tensor shapeT = ctx.constant(n.input(1));
        long[] in = ctx.partialShape(n.input(0));
        if (shapeT == null || in == null) {
            ctx.block(t.space(), n.describe() + (shapeT == null ? " has a computed target shape"
                    : " needs the shape of its input"));
            return;
        }
        long[] target = shapeT.toLongs();
        int c = t.space().size();
        in = in.clone();
        in[t.axis()] = c;
        for (int i = 0; i < in.length; i++) {
            if (in[i] < 0) {
                if (i > t.axis()) {
                    ctx.block(t.space(), n.describe() + " needs the sizes after the channel axis");
                    return;
                }
                in[i] = UNKNOWN_LEADING;
            }
        }
        boolean allowZero = n.attrInt("allowzero", 0) == 1;
        long total = 1;
        for (long d : in) {
            total *= d;
        }
        long[] out = new long[target.length];
        int minus = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                out[i] = in[i];
            } else if (target[i] == -1) {
                minus = i;
                continue;
            } else {
                out[i] = target[i];
            }
            known *= out[i];
        }
        if (minus >= 0) {
            out[minus] = total / known;
        }
        long lead = 1;
        for (int i = 0; i < t.axis(); i++) {
            lead *= in[i];
        }
        int k = 0;
        long pre = 1;
        while (k < out.length && pre < lead) {
            pre *= out[k++];
        }
        while (k < out.length && out[k] == 1 && c != 1) {
            k++;
        }
        if (pre != lead || k == out.length) {
            ctx.block(t.space(), n.describe() + " moves the channel axis into the leading dimensions");
            return;
        }
        long inner;
        if (out[k] == c) {
            inner = 1;
        } else if (out[k] % c == 0) {
            inner = out[k] / c;
            long run = 1;
            int m = t.axis() + 1;
            while (m < in.length && run < inner) {
                run *= in[m++];
            }
            if (run != inner) {
                ctx.block(t.space(), n.describe() + " interleaves the channels with other axes");
                return;
            }
        } else if (c % out[k] == 0 && splitsIntoHeads(in, t.axis(), out, k, c / out[k])) {
            splitHeads(n, ctx, t, target, out, k, c / out[k]);
            return;
        } else {
            ctx.block(t.space(), n.describe() + " splits the channel axis (" + c + " into " + out[k] + ")");
            return;
        }
        if (target[k] == 0 && k != t.axis()) {
            ctx.block(t.space(), n.describe() + " copies a different input dimension onto the channels");
            return;
        }
        mergeChannels(ctx, n.output(0), k, out.length, t.space(), 1, inner);
        if (target[k] > 0) {
            final int entry = k;
            final long per = inner;
            ChannelSpace space = t.space();
            ctx.edit(edit(n.describe() + " shape entry " + k, cc -> {
                long[] s2 = target.clone();
                s2[entry] = cc.keptCount(space) * per;
                cc.setConstInput(n, 1, intsLike(shapeT, s2));
            }));
        }
    }

    /**
     * Whether output axis {@code k} of size C/per followed by axes of product {@code per} splits the channels into
     * blocks of {@code per} consecutive channels (attention heads: [N, L, H·hd] -> [N, L, H, hd]), with the input's
     * axes after the channels following unchanged.
     */
    private static boolean splitsIntoHeads(long[] in, int channelAxis, long[] out, int k, long per) {
        long run = 1;
        int m = k + 1;
        while (m < out.length && run < per) {
            run *= out[m++];
        }
        if (run != per) {
            return false;
        }
        long restIn = 1;
        for (int i = channelAxis + 1; i < in.length; i++) {
            restIn *= in[i];
        }
        long restOut = 1;
        for (int i = m; i < out.length; i++) {
            restOut *= out[i];
        }
        return restIn == restOut;
    }

    /**
     * Channels split into heads: the output's head axis is a new space whose channel h holds input channels
     * h·per .. h·per+per−1, so a unit is a whole head; the head count in the target shape follows the cut.
     */
    private static void splitHeads(Node n, AnalysisContext ctx, Track t, long[] target, long[] out, int k, long per) {
        if (target[k] == 0) {
            ctx.block(t.space(), n.describe() + " copies a different input dimension onto the heads");
            return;
        }
        int heads = (int) out[k];
        ChannelSpace headSpace = ctx.newSpace(n.output(0), k, out.length, heads);
        for (int c = 0; c < t.space().size(); c++) {
            ctx.couple(t.space(), c, headSpace, (int) (c / per));
        }
        if (target[k] > 0) {
            Tensor shapeT = ctx.constant(n.input(1));
            ctx.edit(edit(n.describe() + " head count entry " + k, cc -> {
                long[] s2 = target.clone();
                s2[k] = cc.keptCount(headSpace);
                cc.setConstInput(n, 1, intsLike(shapeT, s2));
            }));
        }
    }

    static void transpose(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        long[] perm = n.attrInts("perm", null);
        int axis = -1;
        for (int i = 0; i < t.rank(); i++) {
            long p = perm == null ? t.rank() - 1 - i : perm[i];
            if (p == t.axis()) {
                axis = i;
            }
        }
        ctx.alias(n.output(0), t.space(), axis, t.rank());
    }

    static void tile(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null || !onlyFirstTracked(n, ctx)) {
            return;
        }
        long[] reps = ints(ctx, n, 1);
        if (reps == null) {
            ctx.block(t.space(), n.describe() + " has computed repeats");
            return;
        }
        mergeChannels(ctx, n.output(0), t.axis(), t.rank(), t.space(), reps[t.axis()], 1);
    }

    static void expand(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        Value shapeV = n.input(1);
        if (ctx.track(shapeV) != null) {
            ctx.blockInputs(n, "expands to a shape that carries channels");
            return;
        }
        Tensor shapeT = ctx.constant(shapeV);
        if (t == null) {
            // expand_as(x): a broadcast value takes the shape of a tracked tensor, and with it its channels.
            Node p = shapeV.producer();
            Track src = p != null && p.opType().equals("Shape") ? ctx.track(p.input(0)) : null;
            long[] d = ctx.partialShape(n.input(0));
            if (src != null && p.attr("start") == null && d != null) {
                int ax = src.axis() - (src.rank() - d.length);
                if (ax < 0 || d[ax] == 1) {
                    ctx.alias(n.output(0), src.space(), src.axis(), src.rank());
                }
            }
            return;
        }
        if (shapeT == null) {
            Node p = shapeV.producer();
            Track src = p != null && p.opType().equals("Shape") ? ctx.track(p.input(0)) : null;
            if (src != null && src.space() == t.space() && src.rank() >= t.rank()) {
                ctx.alias(n.output(0), t.space(), t.axis() + src.rank() - t.rank(), src.rank());
            } else {
                ctx.block(t.space(), n.describe() + " expands to a computed shape");
            }
            return;
        }
        long[] target = shapeT.toLongs();
        int rank = Math.max(t.rank(), target.length);
        int axis = t.axis() + rank - t.rank();
        int e = axis - (rank - target.length);
        if (e >= 0 && target[e] != 1) {
            if (target[e] != t.space().size()) {
                ctx.block(t.space(), n.describe() + " expands the channels");
                return;
            }
            ChannelSpace space = t.space();
            ctx.edit(edit(n.describe() + " shape entry " + e, cc -> {
                long[] s2 = target.clone();
                s2[e] = cc.keptCount(space);
                cc.setConstInput(n, 1, intsLike(shapeT, s2));
            }));
        }
        ctx.alias(n.output(0), t.space(), axis, rank);
    }

    private static long[] axesOf(AnalysisContext ctx, Node n) {
        long[] axes = n.attrInts("axes", null);
        if (axes == null && n.inputs().size() > 1 && n.input(1) != null) {
            Tensor c = ctx.constant(n.input(1));
            return c == null ? null : c.toLongs();
        }
        return axes;
    }

    static void unsqueeze(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        long[] axes = axesOf(ctx, n);
        if (axes == null) {
            ctx.block(t.space(), n.describe() + " has computed axes");
            return;
        }
        int rank = t.rank() + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            inserted[normAxis(a, rank)] = true;
        }
        int src = 0;
        for (int i = 0; i < rank; i++) {
            if (!inserted[i]) {
                if (src == t.axis()) {
                    ctx.alias(n.output(0), t.space(), i, rank);
                    return;
                }
                src++;
            }
        }
    }

    static void squeeze(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        long[] axes = axesOf(ctx, n);
        if (axes == null) {
            long[] d = ctx.partialShape(n.input(0));
            if (d == null) {
                ctx.block(t.space(), n.describe() + " squeezes axes of unknown size");
                return;
            }
            axes = java.util.stream.IntStream.range(0, d.length).filter(i -> d[i] == 1 && i != t.axis())
                    .asLongStream().toArray();
        }
        int shift = 0;
        for (long a : axes) {
            int ax = normAxis(a, t.rank());
            if (ax == t.axis()) {
                ctx.block(t.space(), n.describe() + " squeezes the channel axis");
                return;
            }
            if (ax < t.axis()) {
                shift++;
            }
        }
        ctx.alias(n.output(0), t.space(), t.axis() - shift, t.rank() - axes.length);
    }

    static void reduce(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null || !onlyFirstTracked(n, ctx)) {
            return;
        }
        long[] axes = ctx.reduceAxes(n, t.rank());
        if (axes == null) {
            ctx.block(t.space(), n.describe() + " has computed axes");
            return;
        }
        boolean keep = n.attrInt("keepdims", 1) == 1;
        int shift = 0;
        for (long a : axes) {
            if (a == t.axis()) {
                if (!SUM_LIKE_REDUCE.contains(n.opType())) {
                    ctx.block(t.space(), n.describe() + " reduces over the channels, which a cut would change");
                }
                return; // the channels are summed away: nothing downstream depends on their count
            }
            if (a < t.axis()) {
                shift++;
            }
        }
        ctx.alias(n.output(0), t.space(), keep ? t.axis() : t.axis() - shift, keep ? t.rank() : t.rank() - axes.length);
    }

    static void softmax(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null) {
            return;
        }
        int axis = normAxis(n.attrInt("axis", ctx.opset() >= 13 ? -1 : 1), t.rank());
        if (axis == t.axis() || (ctx.opset() < 13 && axis < t.axis())) {
            ctx.block(t.space(), n.describe() + " normalises over the channels");
            return;
        }
        ctx.alias(n.output(0), t.space(), t.axis(), t.rank());
    }

    static void resize(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null || !onlyFirstTracked(n, ctx)) {
            return;
        }
        Value sizesV = n.inputs().size() > 3 ? n.input(3) : null;
        if (sizesV != null) {
            Tensor sizes = ctx.constant(sizesV);
            long[] s = sizes == null ? null : sizes.toLongs();
            if (s == null || s.length != t.rank() || s[t.axis()] != t.space().size()) {
                ctx.block(t.space(), n.describe() + " resizes to sizes the pruner cannot rewrite");
                return;
            }
            ChannelSpace space = t.space();
            int ax = t.axis();
            ctx.edit(edit(n.describe() + " sizes", cc -> {
                long[] s2 = s.clone();
                s2[ax] = cc.keptCount(space);
                cc.setConstInput(n, 3, intsLike(sizes, s2));
            }));
        }
        ctx.alias(n.output(0), t.space(), t.axis(), t.rank());
    }

    static void pad(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null || !onlyFirstTracked(n, ctx)) {
            return;
        }
        long[] pads = n.attrInts("pads", null);
        if (pads == null) {
            pads = ints(ctx, n, 1);
        }
        boolean axesGiven = n.inputs().size() > 3 && n.input(3) != null;
        if (pads == null || axesGiven || pads.length != 2 * t.rank()) {
            ctx.block(t.space(), n.describe() + " has pads the pruner cannot read");
            return;
        }
        int r = t.rank();
        long before = pads[t.axis()];
        long after = pads[t.axis() + r];
        if (before == 0 && after == 0) {
            ctx.alias(n.output(0), t.space(), t.axis(), t.rank());
            return;
        }
        if (before < 0 || after < 0 || !zeroConstantPad(n, ctx)) {
            ctx.block(t.space(), n.describe() + " pads the channel axis other than with zeros");
            return;
        }
        // Zero channels added around the input's (ResNet option-A shortcuts): the output's channel space holds
        // the padded channels as units of their own (removing one shortens the pad) and the input channels in order.
        int c = t.space().size();
        ChannelSpace outSpace = ctx.newSpace(n.output(0), t.axis(), r, (int) (before + c + after));
        for (int ch = 0; ch < c; ch++) {
            ctx.couple(t.space(), ch, outSpace, (int) before + ch);
        }
        long[] written = pads;
        boolean asAttr = n.attrInts("pads", null) != null;
        Tensor padsLike = asAttr ? null : ctx.constant(n.input(1));
        int axis = t.axis();
        ctx.edit(edit(n.describe() + " channel pads", cc -> {
            int[] kept = cc.kept(outSpace);
            long keptBefore = 0;
            long keptAfter = 0;
            for (int k : kept) {
                if (k < before) {
                    keptBefore++;
                } else if (k >= before + c) {
                    keptAfter++;
                }
            }
            long[] p2 = written.clone();
            p2[axis] = keptBefore;
            p2[axis + r] = keptAfter;
            if (asAttr) {
                cc.setAttr(n, "pads", new Attr.IntsAttr(p2));
            } else {
                cc.setConstInput(n, 1, intsLike(padsLike, p2));
            }
        }));
    }

    /** A constant-mode Pad whose fill value is 0 (the default), so padded channels are zeros in ZERO mode too. */
    private static boolean zeroConstantPad(Node n, AnalysisContext ctx) {
        if (!n.attrString("mode", "constant").equals("constant")) {
            return false;
        }
        if (n.attr("value") != null) {
            return n.attrFloat("value", 0f) == 0f;
        }
        if (n.inputs().size() > 2 && n.input(2) != null) {
            Tensor v = ctx.constant(n.input(2));
            return v != null && v.numel() == 1 && v.toDoubles()[0] == 0.0;
        }
        return true;
    }
}

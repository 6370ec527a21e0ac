package dev.lathe.pruning.graph;

import static dev.lathe.pruning.graph.ChannelHandlers.hasTracked;
import static dev.lathe.pruning.graph.ChannelHandlers.onlyFirstTracked;

import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;

/**
 * Channel handlers of element-wise ops: unary maps follow their first input's channels; broadcasting ops
 * couple the channel axes of all their inputs.
 */
final class ElementwiseHandlers {
    private ElementwiseHandlers() {}

    static void passThrough(Node n, AnalysisContext ctx) {
        Track t = ctx.track(n.input(0));
        if (t == null || !onlyFirstTracked(n, ctx)) {
            return;
        }
        ctx.alias(n.output(0), t.space(), t.axis(), t.rank());
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

    /** Concat along a non-channel axis: every input must carry the same channels on the same axis. */
    static void elementwiseSameAxis(Node n, AnalysisContext ctx, int rank) {
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
}

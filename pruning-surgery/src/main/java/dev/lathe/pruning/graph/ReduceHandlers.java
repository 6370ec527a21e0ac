package dev.lathe.pruning.graph;

import static dev.lathe.pruning.graph.ChannelHandlers.normAxis;
import static dev.lathe.pruning.graph.ChannelHandlers.onlyFirstTracked;

import dev.lathe.graph.ir.Node;

/**
 * Channel handlers of reductions and Softmax: which reductions may run over the channel axis and stay exact
 * when cut channels hold zeros.
 */
final class ReduceHandlers {
    private ReduceHandlers() {}

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
                if (!ChannelHandlers.SUM_LIKE_REDUCE.contains(n.opType())) {
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
}

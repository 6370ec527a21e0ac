package dev.lathe.pruning.graph;

import static dev.lathe.pruning.graph.ChannelHandlers.normAxis;
import static dev.lathe.pruning.graph.ChannelHandlers.onlyFirstTracked;

import dev.lathe.graph.ir.Node;

/**
 * Channel handlers of BatchNormalization, InstanceNormalization and LayerNormalization: their per-channel
 * parameters are sliced with the channels they normalize.
 */
final class NormHandlers {
    private NormHandlers() {}

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
}

package dev.lathe.pruning.graph;

import dev.lathe.graph.ir.Node;

/**
 * Channel handlers of Gemm and MatMul: the weight's rows follow the input features, its columns start a new
 * space of output features.
 */
final class LinearHandlers {
    private LinearHandlers() {}

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
}

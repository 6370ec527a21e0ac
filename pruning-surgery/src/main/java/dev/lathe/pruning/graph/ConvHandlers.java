package dev.lathe.pruning.graph;

import static dev.lathe.pruning.graph.ChannelHandlers.edit;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;

/**
 * Channel handlers of convolutions and pooling: a Conv or ConvTranspose starts a new channel space for its
 * outputs and slices its weight by the input's channels (per group for grouped and depthwise convs); pooling keeps
 * the channels.
 */
final class ConvHandlers {
    private ConvHandlers() {}

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
}

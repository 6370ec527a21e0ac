package dev.lathe.pruning.graph;

import static dev.lathe.pruning.graph.ChannelHandlers.edit;
import static dev.lathe.pruning.graph.ChannelHandlers.ints;
import static dev.lathe.pruning.graph.ChannelHandlers.intsLike;
import static dev.lathe.pruning.graph.ChannelHandlers.onlyFirstTracked;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;

/**
 * Channel handlers of Resize and Pad: exact only when they leave the channel axis alone (or pad it with
 * zeros).
 */
final class ResizePadHandlers {
    private ResizePadHandlers() {}

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

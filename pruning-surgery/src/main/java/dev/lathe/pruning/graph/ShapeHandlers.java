package dev.lathe.pruning.graph;

import static dev.lathe.pruning.graph.ChannelHandlers.edit;
import static dev.lathe.pruning.graph.ChannelHandlers.ints;
import static dev.lathe.pruning.graph.ChannelHandlers.intsLike;
import static dev.lathe.pruning.graph.ChannelHandlers.normAxis;
import static dev.lathe.pruning.graph.ChannelHandlers.onlyFirstTracked;

import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;

/**
 * Channel handlers of ops that move the channel axis or merge it with others: Flatten, Reshape (attention-style
 * splits into heads included), Transpose, Tile, Expand, Unsqueeze and Squeeze, with their shape constants
 * rewritten.
 */
final class ShapeHandlers {
    private ShapeHandlers() {}

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
}

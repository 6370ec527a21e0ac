package dev.lathe.pruning.graph;

import static dev.lathe.pruning.graph.ChannelHandlers.edit;
import static dev.lathe.pruning.graph.ChannelHandlers.hasTracked;
import static dev.lathe.pruning.graph.ChannelHandlers.ints;
import static dev.lathe.pruning.graph.ChannelHandlers.intsLike;
import static dev.lathe.pruning.graph.ChannelHandlers.normAxis;
import static dev.lathe.pruning.graph.ChannelHandlers.onlyFirstTracked;

import dev.lathe.graph.infer.IntOps;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.Arrays;

/**
 * Channel handlers of Concat, Split and Slice: channel offsets into the joined or cut spaces, and the sizes,
 * starts and ends rewritten with the cut.
 */
final class IndexingHandlers {
    private IndexingHandlers() {}

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
            ElementwiseHandlers.elementwiseSameAxis(n, ctx, rank);
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
        long[] window = IntOps.sliceAxis(starts[entry], ends[entry], 1, c);
        int a = (int) window[0];
        int b = (int) (window[0] + window[1]);
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

    static int countBelow(int[] sorted, int bound) {
        int k = 0;
        while (k < sorted.length && sorted[k] < bound) {
            k++;
        }
        return k;
    }
}

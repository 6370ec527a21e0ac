package dev.lathe.pruning.surgery;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ChannelSpace;
import dev.lathe.pruning.graph.ConstEdit;
import dev.lathe.pruning.graph.CutContext;
import dev.lathe.pruning.graph.ParamSlice;
import dev.lathe.pruning.graph.Track;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes channel units from the model a {@link ChannelGraph} was built on. In {@link Mode#CUT} the parameter slices
 * of removed channels are dropped (new tensors; an initializer keeps its name when all its users agree), shape
 * constants and group counts are rewritten and value types shrink. In {@link Mode#ZERO} the same slices are set to
 * zero and nothing else changes: the reference a cut must match exactly.
 */
public final class Surgery {
    public enum Mode { CUT, ZERO }

    private Surgery() {}

    /** Applies the removal of {@code removedUnits} (per group index) in place on the analysed model. */
    public static void apply(ChannelGraph cg, Map<Integer, BitSet> removedUnits, Mode mode) {
        cg.writeInferredTypes();
        Map<ChannelSpace, boolean[]> removed = new IdentityHashMap<>();
        Map<ChannelSpace, int[]> kept = new IdentityHashMap<>();
        for (ChannelSpace s : cg.spaces()) {
            boolean[] r = new boolean[s.size()];
            int k = 0;
            for (int c = 0; c < s.size(); c++) {
                BitSet b = removedUnits.get(cg.groupAt(s, c).id());
                r[c] = b != null && b.get(cg.unitAt(s, c));
                if (!r[c]) {
                    k++;
                }
            }
            if (k == 0) {
                throw new IllegalArgumentException("the cut would remove every channel of " + s.origin().name());
            }
            int[] keep = new int[k];
            for (int c = 0, j = 0; c < s.size(); c++) {
                if (!r[c]) {
                    keep[j++] = c;
                }
            }
            removed.put(s, r);
            kept.put(s, keep);
        }
        for (Map.Entry<Integer, BitSet> e : removedUnits.entrySet()) {
            ChannelGroup g = cg.groups().get(e.getKey());
            for (int u = e.getValue().nextSetBit(0); u >= 0; u = e.getValue().nextSetBit(u + 1)) {
                if (g.isBlocked(u)) {
                    throw new IllegalArgumentException("unit " + u + " of " + g + " cannot be removed: "
                            + g.blockedUnits()[u]);
                }
            }
        }
        Graph graph = cg.model().graph();
        Editor editor = new Editor(graph, kept);
        cutSlices(cg, graph, removed, kept, mode);
        if (mode == Mode.CUT) {
            for (ConstEdit e : cg.edits()) {
                e.apply(editor);
            }
            for (Map.Entry<Value, Track> e : cg.tracks().entrySet()) {
                Value v = e.getKey();
                Track t = e.getValue();
                if (v.type() != null && v.type().shape() != null && v.type().shape().rank() == t.rank()) {
                    Shape s = v.type().shape().with(t.axis(), Dim.of(kept.get(t.space()).length));
                    v.setType(new TensorType(v.type().dtype(), s));
                }
            }
            retypeConstantPaths(cg, graph);
        } else {
            maskLayerNorms(cg, graph, removed);
        }
    }

    /**
     * In ZERO mode a LayerNormalization over the channels would still count the zeroed channels in its mean and
     * variance, which a cut does not; it is rewritten into the same normalisation over the kept channels only
     * ({@code d = (x − mean_k(x))·mask}, {@code y = d / sqrt(mean_k(d²) + eps) · scale + bias}), so the zeroed
     * model is the exact reference for layers like IIEU's channel-shift norm and EfficientMod's channel LayerNorm.
     */
    private static void maskLayerNorms(ChannelGraph cg, Graph graph, Map<ChannelSpace, boolean[]> removed) {
        for (Node n : new ArrayList<>(graph.nodes())) {
            if (!n.opType().equals("LayerNormalization") || !n.domain().isEmpty()) {
                continue;
            }
            Track t = cg.tracks().get(n.input(0));
            Shape shape = n.input(0).shape();
            if (t == null || shape == null || shape.rank() != t.rank()) {
                continue;
            }
            int rank = t.rank();
            long axisAttr = n.attrInt("axis", -1);
            int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
            boolean[] r = removed.get(t.space());
            int keptChannels = 0;
            for (boolean x : r) {
                keptChannels += x ? 0 : 1;
            }
            if (t.axis() < axis || keptChannels == r.length) {
                continue;
            }
            long others = 1;
            for (int i = axis; i < rank; i++) {
                if (i != t.axis()) {
                    if (!shape.get(i).isFixed()) {
                        throw new IllegalStateException(n.describe() + ": normalised axis " + i
                                + " has no static size; cannot mask its statistics");
                    }
                    others *= shape.get(i).size();
                }
            }
            for (int i = 1; i < n.outputs().size(); i++) {
                if (!n.output(i).uses().isEmpty() || graph.outputs().contains(n.output(i))) {
                    throw new IllegalStateException(n.describe() + ": its mean or inverse std output is read; "
                            + "cannot mask its statistics");
                }
            }
            long[] maskDims = new long[rank - t.axis()];
            java.util.Arrays.fill(maskDims, 1);
            maskDims[0] = r.length;
            float[] maskValues = new float[r.length];
            for (int c = 0; c < r.length; c++) {
                maskValues[c] = r[c] ? 0f : 1f;
            }
            long[] axes = new long[rank - axis];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = axis + i;
            }
            String base = n.name().isEmpty() ? "layernorm" : n.name();
            Ops lb = GraphBuilder.editing(graph, cg.model().opset()).before(n).namePrefix(base + "/masked").ops();
            Value x = n.input(0);
            Value mask = graph.addInitializer(graph.uniqueName(base + ".kept_mask"),
                    Tensor.ofFloats(maskDims, maskValues));
            Value invCount = graph.addInitializer(graph.uniqueName(base + ".inv_kept_count"),
                    Tensor.scalar((float) (1.0 / (keptChannels * others))));
            Value eps = graph.addInitializer(graph.uniqueName(base + ".eps"),
                    Tensor.scalar(n.attrFloat("epsilon", 1e-5f)));
            Value mean = lb.op("Mul", lb.reduceSum(lb.op("Mul", x, mask), true, axes), invCount);
            Value d = lb.op("Mul", lb.op("Sub", x, mean), mask);
            Value var = lb.op("Mul", lb.reduceSum(lb.op("Mul", d, d), true, axes), invCount);
            Value y = lb.op("Div", d, lb.op("Sqrt", lb.op("Add", var, eps)));
            y = lb.op("Mul", y, n.input(1));
            if (n.inputs().size() > 2 && n.input(2) != null) {
                y = lb.op("Add", y, n.input(2));
            }
            Value out = n.output(0);
            out.replaceAllUsesWith(y, true);
            graph.removeNode(n);
        }
    }

    /**
     * Values computed from cut constants (a weight normalised inside the graph) carry no channel track; their types
     * are inferred again from the cut inputs, where a rule exists.
     */
    private static void retypeConstantPaths(ChannelGraph cg, Graph graph) {
        java.util.Set<Value> changed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamSlice p : cg.slices()) {
            changed.add(p.source());
        }
        for (Node n : graph.nodes()) {
            boolean dirty = false;
            for (Value v : n.inputs()) {
                dirty |= v != null && (changed.contains(v) || v.isInitializer() && v.uses().size() > 0
                        && !v.type().equals(v.constValue().type()));
            }
            if (!dirty) {
                continue;
            }
            for (Value v : n.inputs()) {
                if (v != null && v.isInitializer()) {
                    v.setType(v.constValue().type());
                }
            }
            boolean tracked = false;
            for (Value o : n.outputs()) {
                tracked |= cg.tracks().containsKey(o);
            }
            if (tracked || !ShapeInference.hasRule(n.domain(), n.opType())) {
                continue;
            }
            try {
                ShapeInference.inferNode(n, cg.model().opset());
                changed.addAll(n.outputs());
            } catch (RuntimeException e) {
                // Leave the old type; validation downstream reports a real inconsistency.
            }
        }
    }

    private static void cutSlices(ChannelGraph cg, Graph graph, Map<ChannelSpace, boolean[]> removed,
            Map<ChannelSpace, int[]> kept, Mode mode) {
        // Slices grouped by the constant they cut, then by the (consumer, input) that reads it.
        Map<Value, Map<Value.Use, List<ParamSlice>>> bySource = new LinkedHashMap<>();
        for (ParamSlice p : cg.slices()) {
            bySource.computeIfAbsent(p.source(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(new Value.Use(p.consumer(), p.inputIndex()), k -> new ArrayList<>()).add(p);
        }
        for (Map.Entry<Value, Map<Value.Use, List<ParamSlice>>> e : bySource.entrySet()) {
            Value source = e.getKey();
            Map<Value.Use, List<ParamSlice>> uses = e.getValue();
            Tensor original = dev.lathe.graph.infer.Constants.valueOf(source);
            List<ParamSlice> merged = mergeAxes(uses.values());
            if (merged != null) {
                // One cut for every reader: a weight whose filter norms the graph computes (IIEU's F = 1/||W_c||) is
                // read by its conv and by a ReduceL2, and both must see the same kept rows and columns.
                Tensor t = cutTensor(original, merged, removed, kept, mode);
                if (uses.size() == source.uses().size()) {
                    replaceConstant(graph, source, t);
                } else {
                    Value copy = graph.addInitializer(graph.uniqueName(source.name()), t);
                    for (Value.Use u : uses.keySet()) {
                        u.node().replaceInput(u.index(), copy);
                    }
                    dropIfUnused(graph, source);
                }
                continue;
            }
            for (Map.Entry<Value.Use, List<ParamSlice>> u : uses.entrySet()) {
                Tensor t = cutTensor(original, u.getValue(), removed, kept, mode);
                Value copy = graph.addInitializer(graph.uniqueName(source.name()), t);
                u.getKey().node().replaceInput(u.getKey().index(), copy);
            }
            dropIfUnused(graph, source);
        }
    }

    /**
     * The slices of all readers of one constant, one per axis; null when two readers index the same axis by different
     * channels (then each reader gets its own copy).
     */
    private static List<ParamSlice> mergeAxes(java.util.Collection<List<ParamSlice>> specs) {
        Map<Integer, ParamSlice> byAxis = new LinkedHashMap<>();
        for (List<ParamSlice> spec : specs) {
            for (ParamSlice p : spec) {
                ParamSlice prior = byAxis.putIfAbsent(p.axis(), p);
                if (prior != null && (prior.space() != p.space()
                        || !java.util.Arrays.equals(prior.channelOfIndex(), p.channelOfIndex()))) {
                    return null;
                }
            }
        }
        return new ArrayList<>(byAxis.values());
    }

    private static Tensor cutTensor(Tensor t, List<ParamSlice> slices, Map<ChannelSpace, boolean[]> removed,
            Map<ChannelSpace, int[]> kept, Mode mode) {
        Map<Integer, ParamSlice> byAxis = new LinkedHashMap<>();
        for (ParamSlice p : slices) {
            ParamSlice prior = byAxis.putIfAbsent(p.axis(), p);
            if (prior != null && prior.space() != p.space()) {
                throw new IllegalStateException("axis " + p.axis() + " of " + p.source().name()
                        + " is indexed by two channel spaces: " + prior.space() + " and " + p.space());
            }
        }
        int[][] keepByAxis = new int[t.rank()][];
        boolean anyCut = false;
        for (ParamSlice p : byAxis.values()) {
            boolean[] r = removed.get(p.space());
            int[] map = p.channelOfIndex();
            boolean[] drop = new boolean[map.length];
            int keepCount = 0;
            for (int i = 0; i < map.length; i++) {
                drop[i] = r[map[i]];
                if (!drop[i]) {
                    keepCount++;
                }
            }
            if (keepCount == map.length) {
                continue;
            }
            if (mode == Mode.ZERO) {
                t = TensorSlices.zero(t, p.axis(), drop);
            } else {
                int[] keep = new int[keepCount];
                for (int i = 0, j = 0; i < map.length; i++) {
                    if (!drop[i]) {
                        keep[j++] = i;
                    }
                }
                keepByAxis[p.axis()] = keep;
                anyCut = true;
            }
        }
        return anyCut ? TensorSlices.take(t, keepByAxis) : t;
    }

    /** Gives a constant new data, keeping its name: an initializer in place, a Constant node by its attribute. */
    static void replaceConstant(Graph graph, Value source, Tensor t) {
        if (source.constValue() != null) {
            source.setConstValue(t);
            return;
        }
        Node p = source.producer();
        p.attributes().clear();
        p.attr("value", new Attr.TensorAttr(t));
        source.setType(t.type());
    }

    static void dropIfUnused(Graph graph, Value v) {
        if (!v.uses().isEmpty() || graph.outputs().contains(v)) {
            return;
        }
        if (v.constValue() != null && graph.initializer(v.name()) == v) {
            graph.removeInitializer(v.name());
        } else if (v.producer() != null && v.producer().opType().equals("Constant")) {
            graph.removeNode(v.producer());
        }
    }

    /** The {@link CutContext} the constant edits see. */
    private static final class Editor implements CutContext {
        private final Graph graph;
        private final Map<ChannelSpace, int[]> kept;

        Editor(Graph graph, Map<ChannelSpace, int[]> kept) {
            this.graph = graph;
            this.kept = kept;
        }

        @Override
        public int[] kept(ChannelSpace space) {
            return kept.get(space);
        }

        @Override
        public void setConstInput(Node node, int inputIndex, Tensor value) {
            if (inputIndex >= node.inputs().size()) {
                while (node.inputs().size() < inputIndex) {
                    node.appendInput(null);
                }
                node.appendInput(graph.addInitializer(graph.uniqueName(node.name() + "_const"), value));
                return;
            }
            Value old = node.input(inputIndex);
            if (old != null && old.uses().size() == 1 && !graph.outputs().contains(old)
                    && (old.constValue() != null || (old.producer() != null
                            && old.producer().opType().equals("Constant")))) {
                replaceConstant(graph, old, value);
                return;
            }
            String base = old == null ? node.name() + "_const" : old.name();
            node.replaceInput(inputIndex, graph.addInitializer(graph.uniqueName(base), value));
            if (old != null) {
                dropIfUnused(graph, old);
            }
        }

        @Override
        public void setAttr(Node node, String key, Attr value) {
            if (value == null) {
                node.attributes().remove(key);
            } else {
                node.attr(key, value);
            }
        }
    }
}

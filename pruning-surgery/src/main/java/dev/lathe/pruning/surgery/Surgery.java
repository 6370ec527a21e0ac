package dev.lathe.pruning.surgery;

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
            boolean shared = true;
            List<ParamSlice> firstSpec = null;
            for (List<ParamSlice> spec : uses.values()) {
                if (firstSpec == null) {
                    firstSpec = spec;
                } else if (!sameSpec(firstSpec, spec)) {
                    shared = false;
                }
            }
            if (uses.size() != source.uses().size()) {
                shared = false;
            }
            if (shared) {
                Tensor t = cutTensor(original, firstSpec, removed, kept, mode);
                replaceConstant(graph, source, t);
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

    private static boolean sameSpec(List<ParamSlice> a, List<ParamSlice> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            ParamSlice x = a.get(i);
            ParamSlice y = b.get(i);
            if (x.axis() != y.axis() || x.space() != y.space()
                    || !java.util.Arrays.equals(x.channelOfIndex(), y.channelOfIndex())) {
                return false;
            }
        }
        return true;
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

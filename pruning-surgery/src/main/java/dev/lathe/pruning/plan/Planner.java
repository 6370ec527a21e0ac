package dev.lathe.pruning.plan;

import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Value;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ChannelSpace;
import dev.lathe.pruning.graph.ParamSlice;
import dev.lathe.pruning.importance.Importance;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the units to remove. Channel counts are measured on each group's anchor (its first space, e.g. the conv
 * output): local mode keeps {@code floor(C·(1−ratio))} per group, global mode removes the lowest-scored units of all
 * groups until {@code ratio} of all prunable channels are gone (Torch-Pruning's semantics). Rounding keeps counts at
 * multiples of {@code roundTo} (rounded up), no space loses more than {@code maxRatio} of its channels and none loses
 * all. With a MACs or a params target the ratio is found by bisection on the estimated MACs or parameters.
 */
public final class Planner {
    private final ChannelGraph cg;
    private final Map<ChannelGroup, double[]> scores = new LinkedHashMap<>();
    private final List<String> unscored = new ArrayList<>();
    private final List<LayerCost> layers;
    private final List<Value> parameters = new ArrayList<>();
    /** MACs of products of two activations (attention's q·kᵀ and attn·v) and the space their output carries. */
    private final List<Map.Entry<Long, ChannelSpace>> activationProducts = new ArrayList<>();
    private final Map<String, List<ParamSlice>> slicesBySource = new HashMap<>();
    private final Map<ChannelGroup, int[][]> unitCounts = new IdentityHashMap<>();

    public Planner(ChannelGraph cg, Importance importance) {
        this.cg = cg;
        for (ChannelGroup g : cg.prunableGroups()) {
            double[] s = importance.score(g);
            if (s == null) {
                unscored.add(g.anchor().origin().name());
            } else {
                scores.put(g, s);
            }
        }
        dev.lathe.graph.count.ModelCount count = ModelCounter.count(cg.model());
        this.layers = LayerCost.of(cg.model(), count);
        java.util.Set<String> weighted = new java.util.HashSet<>();
        for (LayerCost l : layers) {
            weighted.add(l.node());
        }
        for (dev.lathe.graph.count.LayerCount c : count.nodes()) {
            if (c.opType().equals("MatMul") && c.macs() > 0 && !weighted.contains(c.name())) {
                dev.lathe.graph.ir.Node n = cg.model().graph().nodeByName(c.name());
                dev.lathe.pruning.graph.Track t = n == null ? null : cg.tracks().get(n.output(0));
                activationProducts.add(Map.entry(c.macs(), t == null ? null : t.space()));
            }
        }
        for (Value v : cg.model().graph().initializers().values()) {
            if (!v.uses().isEmpty() && ModelCounter.isParameter(v)) {
                parameters.add(v);
            }
        }
        for (ParamSlice p : cg.slices()) {
            slicesBySource.computeIfAbsent(p.source().name(), k -> new ArrayList<>()).add(p);
        }
    }

    /** Anchors of prunable groups the criterion could not score (left unpruned). */
    public List<String> unscoredGroups() {
        return unscored;
    }

    public List<LayerCost> layers() {
        return layers;
    }

    public Map<Integer, BitSet> select(PlanOptions o) {
        if (o.targetMacs() > 0) {
            return selectForTarget(o, o.targetMacs(), this::macs);
        }
        if (o.targetParams() > 0) {
            return selectForTarget(o, o.targetParams(), this::params);
        }
        return o.global() ? selectGlobal(o.ratio(), o) : selectLocal(o.ratio(), o);
    }

    private Map<Integer, BitSet> selectForTarget(PlanOptions o, double fraction,
            java.util.function.ToLongFunction<Map<Integer, BitSet>> measure) {
        long full = measure.applyAsLong(Map.of());
        double target = fraction * full;
        double lo = 0;
        double hi = 0.999;
        Map<Integer, BitSet> best = o.global() ? selectGlobal(hi, o) : selectLocal(hi, o);
        if (measure.applyAsLong(best) > target) {
            return best; // the most the constraints allow; the report shows the miss
        }
        for (int it = 0; it < 30; it++) {
            double mid = (lo + hi) / 2;
            Map<Integer, BitSet> sel = o.global() ? selectGlobal(mid, o) : selectLocal(mid, o);
            if (measure.applyAsLong(sel) <= target) {
                hi = mid;
                best = sel;
            } else {
                lo = mid;
            }
        }
        return best;
    }

    /** Channels of each unit in each space of the group: counts[spaceIndex][unit]. */
    private int[][] counts(ChannelGroup g) {
        return unitCounts.computeIfAbsent(g, k -> {
            int[][] c = new int[g.spaces().size()][g.unitCount()];
            for (int i = 0; i < g.spaces().size(); i++) {
                for (int u : g.unitOfChannel().get(g.spaces().get(i))) {
                    if (u >= 0) {
                        c[i][u]++;
                    }
                }
            }
            return c;
        });
    }

    /** Channels left per space (by space id) during one selection, shared by all groups. */
    private final class Budget {
        final int[] remaining;
        final int[] floor;

        Budget(double maxRatio) {
            remaining = new int[cg.spaces().size()];
            floor = new int[remaining.length];
            for (ChannelSpace s : cg.spaces()) {
                remaining[s.id()] = s.size();
                floor[s.id()] = Math.max(1, (int) Math.ceil(s.size() * (1 - maxRatio) - 1e-9));
            }
        }
    }

    /** Per group: the units chosen so far, checked against the shared per-space budget. */
    private final class GroupState {
        final ChannelGroup g;
        final int[][] counts;
        final Budget budget;
        final BitSet removed = new BitSet();
        int anchorRemoved;

        GroupState(ChannelGroup g, Budget budget) {
            this.g = g;
            this.counts = counts(g);
            this.budget = budget;
        }

        boolean canRemove(int u) {
            for (int i = 0; i < counts.length; i++) {
                int id = g.spaces().get(i).id();
                if (budget.remaining[id] - counts[i][u] < budget.floor[id]) {
                    return false;
                }
            }
            return true;
        }

        void remove(int u) {
            for (int i = 0; i < counts.length; i++) {
                budget.remaining[g.spaces().get(i).id()] -= counts[i][u];
            }
            anchorRemoved += counts[0][u];
            removed.set(u);
        }

        void restore(int u) {
            for (int i = 0; i < counts.length; i++) {
                budget.remaining[g.spaces().get(i).id()] += counts[i][u];
            }
            anchorRemoved -= counts[0][u];
            removed.clear(u);
        }

        int anchorSize() {
            return g.anchor().size();
        }
    }

    private static int keepTarget(int channels, double ratio, int roundTo) {
        int keep = (int) Math.floor(channels * (1 - ratio) + 1e-9);
        if (roundTo > 1 && keep % roundTo != 0) {
            keep += roundTo - keep % roundTo;
        }
        return Math.min(channels, Math.max(keep, 1));
    }

    private Map<Integer, BitSet> selectLocal(double ratio, PlanOptions o) {
        Map<Integer, BitSet> out = new LinkedHashMap<>();
        Budget budget = new Budget(o.maxRatio());
        for (Map.Entry<ChannelGroup, double[]> e : scores.entrySet()) {
            ChannelGroup g = e.getKey();
            double[] s = e.getValue();
            GroupState st = new GroupState(g, budget);
            int toRemove = st.anchorSize() - keepTarget(st.anchorSize(), ratio, o.roundTo());
            for (int u : ascending(g, s)) {
                if (st.anchorRemoved >= toRemove) {
                    break;
                }
                if (st.anchorRemoved + st.counts[0][u] <= toRemove && st.canRemove(u)) {
                    st.remove(u);
                }
            }
            if (!st.removed.isEmpty()) {
                out.put(g.id(), st.removed);
            }
        }
        return out;
    }

    private Map<Integer, BitSet> selectGlobal(double ratio, PlanOptions o) {
        record Candidate(GroupState st, int unit, double score) {}
        List<Candidate> all = new ArrayList<>();
        long total = 0;
        Map<ChannelGroup, GroupState> states = new LinkedHashMap<>();
        Budget budget = new Budget(o.maxRatio());
        for (Map.Entry<ChannelGroup, double[]> e : scores.entrySet()) {
            GroupState st = new GroupState(e.getKey(), budget);
            states.put(e.getKey(), st);
            total += st.anchorSize();
            for (int u : ascending(e.getKey(), e.getValue())) {
                all.add(new Candidate(st, u, e.getValue()[u]));
            }
        }
        all.sort(Comparator.comparingDouble(Candidate::score));
        long toRemove = total - (long) Math.floor(total * (1 - ratio) + 1e-9);
        long removed = 0;
        for (Candidate c : all) {
            if (removed >= toRemove) {
                break;
            }
            if (c.st().canRemove(c.unit())) {
                c.st().remove(c.unit());
                removed += c.st().counts[0][c.unit()];
            }
        }
        Map<Integer, BitSet> out = new LinkedHashMap<>();
        for (Map.Entry<ChannelGroup, GroupState> e : states.entrySet()) {
            GroupState st = e.getValue();
            if (o.roundTo() > 1) {
                // Round the kept count up by giving back the best-scored removed units.
                double[] s = scores.get(e.getKey());
                List<Integer> back = new ArrayList<>();
                st.removed.stream().forEach(back::add);
                back.sort((a, b) -> Double.compare(s[b], s[a]));
                for (int u : back) {
                    if ((st.anchorSize() - st.anchorRemoved) % o.roundTo() == 0) {
                        break;
                    }
                    st.restore(u);
                }
            }
            if (!st.removed.isEmpty()) {
                out.put(e.getKey().id(), st.removed);
            }
        }
        return out;
    }

    private static List<Integer> ascending(ChannelGroup g, double[] s) {
        List<Integer> units = new ArrayList<>();
        for (int u = 0; u < g.unitCount(); u++) {
            if (!g.isBlocked(u)) {
                units.add(u);
            }
        }
        units.sort((a, b) -> Double.compare(s[a], s[b]));
        return units;
    }

    /** Estimated MACs of the model after removing {@code removed}. */
    public long macs(Map<Integer, BitSet> removed) {
        Map<ChannelSpace, boolean[]> gone = removedChannels(removed);
        long total = 0;
        for (LayerCost l : layers) {
            total += (long) Math.rint(l.macs() * keptFraction(l.weight(), gone));
        }
        for (Map.Entry<Long, ChannelSpace> p : activationProducts) {
            boolean[] g = p.getValue() == null ? null : gone.get(p.getValue());
            long kept = 0;
            if (g != null) {
                for (boolean x : g) {
                    kept += x ? 0 : 1;
                }
            }
            total += g == null ? p.getKey() : (long) Math.rint((double) p.getKey() * kept / g.length);
        }
        return total;
    }

    /**
     * Estimated parameters of the model after removing {@code removed}, counted as {@link ModelCounter} counts them:
     * every parameter initializer scaled by the kept fraction of each of its cut axes.
     */
    public long params(Map<Integer, BitSet> removed) {
        Map<ChannelSpace, boolean[]> gone = removedChannels(removed);
        long total = 0;
        for (Value v : parameters) {
            total += (long) Math.rint(v.constValue().numel() * keptFraction(v.name(), gone));
        }
        return total;
    }

    /** Per-layer estimate after removal: the layer list with weight and parameter counts scaled. */
    public List<LayerCost> layersAfter(Map<Integer, BitSet> removed) {
        Map<ChannelSpace, boolean[]> gone = removedChannels(removed);
        List<LayerCost> out = new ArrayList<>();
        for (LayerCost l : layers) {
            double f = keptFraction(l.weight(), gone);
            out.add(new LayerCost(l.node(), l.opType(), l.weight(), (long) Math.rint(l.weightElements() * f),
                    (long) Math.rint(l.params() * f), l.positions()));
        }
        return out;
    }

    private double keptFraction(String source, Map<ChannelSpace, boolean[]> gone) {
        List<ParamSlice> ps = slicesBySource.get(source);
        if (ps == null) {
            return 1.0;
        }
        Map<Integer, ParamSlice> byAxis = new LinkedHashMap<>();
        for (ParamSlice p : ps) {
            byAxis.putIfAbsent(p.axis(), p);
        }
        double f = 1.0;
        for (ParamSlice p : byAxis.values()) {
            boolean[] g = gone.get(p.space());
            if (g == null) {
                continue;
            }
            int kept = 0;
            for (int c : p.channelOfIndex()) {
                if (!g[c]) {
                    kept++;
                }
            }
            f *= (double) kept / p.channelOfIndex().length;
        }
        return f;
    }

    private Map<ChannelSpace, boolean[]> removedChannels(Map<Integer, BitSet> removed) {
        Map<ChannelSpace, boolean[]> out = new IdentityHashMap<>();
        for (Map.Entry<Integer, BitSet> e : removed.entrySet()) {
            ChannelGroup g = cg.groups().get(e.getKey());
            for (ChannelSpace s : g.spaces()) {
                int[] unitOf = g.unitOfChannel().get(s);
                boolean[] r = out.computeIfAbsent(s, k -> new boolean[s.size()]);
                for (int c = 0; c < unitOf.length; c++) {
                    if (unitOf[c] >= 0 && e.getValue().get(unitOf[c])) {
                        r[c] = true;
                    }
                }
            }
        }
        return out;
    }
}

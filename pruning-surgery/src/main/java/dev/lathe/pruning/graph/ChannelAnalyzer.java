package dev.lathe.pruning.graph;

import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link ChannelGraph} of a model: walks the nodes in order, lets each op's {@link ChannelHandler}
 * propagate channel tracks, then blocks what must not change (graph outputs, ignored nodes, ops without a handler)
 * and collects coupled channels into units and groups.
 */
public final class ChannelAnalyzer {
    private final Map<String, ChannelHandler> handlers;
    private final Set<String> ignoredNodes;

    /** The standard handler table; channels written by {@code ignoredNodes} are never removed. */
    public ChannelAnalyzer(Set<String> ignoredNodes) {
        this(ChannelHandlers.standard(), ignoredNodes);
    }

    public ChannelAnalyzer(Map<String, ChannelHandler> handlers, Set<String> ignoredNodes) {
        this.handlers = handlers;
        this.ignoredNodes = ignoredNodes;
    }

    public ChannelGraph analyze(Model model) {
        Graph g = model.graph();
        Map<Value, TensorType> before = inferMissingTypes(model);
        AnalysisContext ctx = new AnalysisContext(model.opset());
        Set<String> unseenIgnored = new java.util.HashSet<>(ignoredNodes);
        for (Node n : g.nodes()) {
            ChannelHandler h = n.domain().isEmpty() || n.domain().equals("ai.onnx") ? handlers.get(n.opType()) : null;
            boolean anyTracked = false;
            for (Value v : n.inputs()) {
                anyTracked |= ctx.track(v) != null;
            }
            if (!Graph.subgraphs(n).isEmpty()) {
                h = null;
            }
            if (h == null) {
                if (anyTracked) {
                    ctx.blockInputs(n, "has no channel handler for op " + (n.domain().isEmpty() ? "" : n.domain() + ".")
                            + n.opType());
                }
            } else {
                h.propagate(n, ctx);
            }
            if (unseenIgnored.remove(n.name())) {
                for (Value out : n.outputs()) {
                    Track t = ctx.track(out);
                    if (t != null) {
                        ctx.block(t.space(), "writer " + n.describe() + " is ignored");
                    }
                }
            }
        }
        if (!unseenIgnored.isEmpty()) {
            throw new IllegalArgumentException("ignored node(s) not in graph '" + g.name() + "': "
                    + String.join(", ", unseenIgnored));
        }
        for (Value out : g.outputs()) {
            Track t = ctx.track(out);
            if (t != null) {
                ctx.block(t.space(), "graph output " + out.name() + " keeps its channels");
            }
        }
        ChannelGraph cg = build(model, ctx);
        for (Map.Entry<Value, TensorType> e : before.entrySet()) { // held aside: the caller's model stays as it was
            cg.inferredTypes.put(e.getKey(), e.getKey().type());
            e.getKey().setType(e.getValue());
        }
        return cg;
    }

    /**
     * Handlers read static sizes (Flatten needs the spatial size behind the channels, Reshape the dims it splits), and
     * a plain torch.onnx export types only the graph inputs and outputs; without this, ResNet-50's last residual
     * stream was blocked at its Flatten. Nodes with no rule, or whose rule fails, keep the types they have, and the
     * handlers that need them block with a reason. Returns the values it typed with their previous types, so the
     * analysis can put them back when it is done.
     */
    private static Map<Value, TensorType> inferMissingTypes(Model model) {
        Map<Value, TensorType> before = new IdentityHashMap<>();
        for (Node n : model.graph().nodes()) {
            boolean untyped = false;
            for (Value out : n.outputs()) {
                untyped |= out.type() == null || out.type().shape() == null;
            }
            if (!untyped || !ShapeInference.hasRule(n.domain(), n.opType())) {
                continue;
            }
            for (Value out : n.outputs()) {
                before.putIfAbsent(out, out.type());
            }
            try {
                ShapeInference.inferNode(n, model.opset());
            } catch (RuntimeException e) {
                // Left untyped: the handlers that need these sizes say so in the block report.
            }
        }
        return before;
    }

    /**
     * Units are the roots of coupled channels. Units that appear in exactly the same spaces form a group: the
     * channels of one conv's output and everything that reads them, or a whole residual stream, or one layer's
     * share of DenseNet's concatenations.
     */
    private ChannelGraph build(Model model, AnalysisContext ctx) {
        List<ChannelSpace> spaces = ctx.spaces;
        String[] blockedRoot = new String[ctx.elementCount];
        for (Object[] b : ctx.blocks) {
            ChannelSpace s = (ChannelSpace) b[0];
            for (int c = (int) b[1]; c < (int) b[2]; c++) {
                int r = ctx.find(s.offset() + c);
                if (blockedRoot[r] == null) {
                    blockedRoot[r] = (String) b[3];
                }
            }
        }
        // Signature of a root: the ids of the spaces its channels lie in, in creation order.
        Map<Integer, List<Integer>> signature = new HashMap<>();
        for (ChannelSpace s : spaces) {
            for (int c = 0; c < s.size(); c++) {
                List<Integer> sig = signature.computeIfAbsent(ctx.find(s.offset() + c), k -> new ArrayList<>(2));
                if (sig.isEmpty() || sig.get(sig.size() - 1) != s.id()) {
                    sig.add(s.id());
                }
            }
        }
        Map<List<Integer>, Integer> groupOfSignature = new LinkedHashMap<>();
        List<List<Integer>> groupRoots = new ArrayList<>();
        int[] groupOfRoot = new int[ctx.elementCount];
        int[] unitOfRoot = new int[ctx.elementCount];
        for (ChannelSpace s : spaces) {
            for (int c = 0; c < s.size(); c++) {
                int r = ctx.find(s.offset() + c);
                List<Integer> sig = signature.get(r);
                if (sig == null) {
                    continue;
                }
                signature.remove(r);
                Integer g = groupOfSignature.get(sig);
                if (g == null) {
                    g = groupRoots.size();
                    groupOfSignature.put(sig, g);
                    groupRoots.add(new ArrayList<>());
                }
                groupOfRoot[r] = g;
                unitOfRoot[r] = groupRoots.get(g).size();
                groupRoots.get(g).add(r);
            }
        }
        int[][] channelGroup = new int[spaces.size()][];
        int[][] channelUnit = new int[spaces.size()][];
        int[] unitSizesFlat = new int[ctx.elementCount];
        for (ChannelSpace s : spaces) {
            int[] gs = new int[s.size()];
            int[] us = new int[s.size()];
            for (int c = 0; c < s.size(); c++) {
                int r = ctx.find(s.offset() + c);
                gs[c] = groupOfRoot[r];
                us[c] = unitOfRoot[r];
                unitSizesFlat[r]++;
            }
            channelGroup[s.id()] = gs;
            channelUnit[s.id()] = us;
        }
        Map<ChannelSpace, List<ParamSlice>> slicesBySpace = new IdentityHashMap<>();
        for (ParamSlice p : ctx.slices) {
            slicesBySpace.computeIfAbsent(p.space(), k -> new ArrayList<>()).add(p);
        }
        List<ChannelGroup> groups = new ArrayList<>();
        for (Map.Entry<List<Integer>, Integer> e : groupOfSignature.entrySet()) {
            int g = e.getValue();
            List<ChannelSpace> ss = new ArrayList<>();
            Map<ChannelSpace, int[]> unitOf = new IdentityHashMap<>();
            List<ParamSlice> groupSlices = new ArrayList<>();
            for (int id : e.getKey()) {
                ChannelSpace s = spaces.get(id);
                ss.add(s);
                int[] u = channelUnit[id].clone();
                for (int c = 0; c < u.length; c++) {
                    if (channelGroup[id][c] != g) {
                        u[c] = -1;
                    }
                }
                unitOf.put(s, u);
                groupSlices.addAll(slicesBySpace.getOrDefault(s, List.of()));
            }
            List<Integer> roots = groupRoots.get(g);
            int[] sizes = new int[roots.size()];
            String[] blocked = new String[roots.size()];
            for (int u = 0; u < sizes.length; u++) {
                sizes[u] = unitSizesFlat[roots.get(u)];
                blocked[u] = blockedRoot[roots.get(u)];
            }
            groups.add(new ChannelGroup(g, List.copyOf(ss), unitOf, sizes, blocked, List.copyOf(groupSlices)));
        }
        return new ChannelGraph(model, new IdentityHashMap<>(ctx.tracks), groups, spaces, channelGroup, channelUnit,
                List.copyOf(ctx.edits), List.copyOf(ctx.slices));
    }
}

package dev.lathe.graph.autodiff;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation of a graph into the same graph. The engine marks the values that depend on a requested
 * input (forward sweep) and those the loss depends on (backward sweep); only nodes in both get a backward, so a
 * missing rule is an error only for an op that actually lies between the parameters and the loss. It then walks
 * those nodes in reverse topological order, sums the gradients each value receives from its consumers (fan-out) and
 * hands them to the op's {@link BackwardRule}. Only floating-point values carry gradients: integer and boolean
 * outputs (ArgMax, Shape, Equal) stop the flow, and so do untyped ones: forward values must be typed.
 */
public final class Autodiff {
    private Autodiff() {}

    /** Node metadata key marking an Identity whose output carries no gradient (see {@link #stopGradient}). */
    public static final String STOP_GRADIENT = "lathe.stop_gradient";

    /**
     * PyTorch's {@code x.detach()}: an Identity (ORT runs it as one) marked in its node metadata, whose output the
     * engine treats as a constant. ISP's RBF map divides by the detached maximum of the density, so the gradient
     * keeps the density's 1/(2 pi sigma^2) factor; without the stop the division would cancel it.
     */
    public static Value stopGradient(Ops o, Value x) {
        Value y = o.identity(x);
        y.producer().metadataProps().put(STOP_GRADIENT, "1");
        return y;
    }

    static boolean isStopGradient(Node n) {
        return n.opType().equals("Identity") && "1".equals(n.metadataProps().get(STOP_GRADIENT));
    }

    /**
     * Appends the backward of {@code loss} with respect to {@code wrt} to {@code graph} (topologically ordered) and
     * returns the gradient value of each requested value, in request order. A requested value that the loss does
     * not depend on gets zeros. The seed is d(loss)/d(loss) = 1.
     */
    public static Map<Value, Value> gradients(Graph graph, long opset, Value loss, List<Value> wrt) {
        return gradients(graph, opset, loss, null, wrt);
    }

    /** As {@link #gradients(Graph, long, Value, List)} with an explicit seed gradient for {@code loss}. */
    public static Map<Value, Value> gradients(Graph graph, long opset, Value loss, Value seed, List<Value> wrt) {
        return gradients(graph, opset, loss, seed, wrt, BackwardRules.standard());
    }

    /** As above with the rules of {@code rules} (the standard ones extended by a user's, for instance). */
    public static Map<Value, Value> gradients(Graph graph, long opset, Value loss, Value seed, List<Value> wrt,
            BackwardRules rules) {
        Ops e = GraphBuilder.editing(graph, opset).inferTypes(false).ops();
        Set<Value> depends = identitySet();
        depends.addAll(wrt);
        List<Node> active = new ArrayList<>();
        for (Node n : graph.nodes()) {
            boolean hit = false;
            for (Value v : n.inputs()) {
                hit |= v != null && depends.contains(v);
            }
            if (hit) {
                active.add(n);
                for (Value o : n.outputs()) {
                    if (isFloating(o) && !isStopGradient(n)) {
                        depends.add(o);
                    }
                }
            }
        }
        Set<Value> reachesLoss = identitySet();
        reachesLoss.add(loss);
        List<Node> path = new ArrayList<>();
        for (int i = active.size() - 1; i >= 0; i--) {
            Node n = active.get(i);
            boolean onPath = false;
            for (Value o : n.outputs()) {
                onPath |= reachesLoss.contains(o);
            }
            if (onPath) {
                path.add(n);
                for (Value v : n.inputs()) {
                    if (v != null && depends.contains(v)) {
                        reachesLoss.add(v);
                    }
                }
            }
        }
        Map<Value, List<Value>> contributions = new IdentityHashMap<>();
        if (seed == null) {
            seed = e.constant(Tensor.filled(loss.dtype(), 1.0, Ops.staticShape(loss)));
        }
        contributions.computeIfAbsent(loss, k -> new ArrayList<>()).add(seed);
        for (Node n : path) { // already in reverse topological order
            BackwardRule rule = rules.get(n, opset);
            Value[] outGrads = new Value[n.outputs().size()];
            for (int i = 0; i < outGrads.length; i++) {
                outGrads[i] = sum(e, n.output(i), contributions.remove(n.output(i)));
            }
            boolean[] needs = new boolean[n.inputs().size()];
            for (int i = 0; i < needs.length; i++) {
                Value v = n.input(i);
                needs[i] = v != null && depends.contains(v) && reachesLoss.contains(v);
            }
            e.builder().namePrefix("grad/" + n.name());
            Value[] inGrads = rule.backward(new BackwardContext(n, e, outGrads, needs));
            for (int i = 0; i < needs.length; i++) {
                Value g = i < inGrads.length ? inGrads[i] : null;
                if (!needs[i]) {
                    continue;
                }
                if (g == null) {
                    throw new IllegalStateException("backward rule of " + n.describe() + " gave no gradient for input "
                            + i + " ('" + n.input(i).name() + "')");
                }
                if (g.type() == null) {
                    g.setType(n.input(i).type());
                }
                contributions.computeIfAbsent(n.input(i), k -> new ArrayList<>()).add(g);
            }
        }
        e.builder().namePrefix("grad");
        Map<Value, Value> out = new LinkedHashMap<>();
        for (Value w : wrt) {
            Value g = sum(e, w, contributions.get(w));
            out.put(w, g != null ? g : e.zerosLike(w));
        }
        return out;
    }

    private static Value sum(Ops e, Value forward, List<Value> parts) {
        if (parts == null || parts.isEmpty()) {
            return null;
        }
        Value g = parts.size() == 1 ? parts.get(0) : e.op("Sum", parts.toArray(new Value[0]));
        if (g.type() == null) {
            g.setType(forward.type());
        }
        return g;
    }

    static boolean isFloating(Value v) {
        DataType t = v.dtype();
        return t == DataType.FLOAT || t == DataType.DOUBLE || t == DataType.FLOAT16 || t == DataType.BFLOAT16;
    }

    private static Set<Value> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}

package dev.lathe.graph.autodiff;

import dev.lathe.graph.ir.Node;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The registry of backward rules, keyed by ai.onnx op type. */
public final class BackwardRules {
    private static final Map<String, BackwardRule> RULES = new ConcurrentHashMap<>();

    static {
        ElementwiseGrads.register();
        LinearGrads.register();
        PoolGrads.register();
        ShapeGrads.register();
        ReduceGrads.register();
        NormGrads.register();
        ActivationGrads.register();
    }

    private BackwardRules() {}

    public static void register(String opType, BackwardRule rule) {
        RULES.put(opType, rule);
    }

    public static boolean has(String opType) {
        return RULES.containsKey(opType);
    }

    public static Set<String> opTypes() {
        return new TreeSet<>(RULES.keySet());
    }

    static BackwardRule get(Node n) {
        BackwardRule r = n.domain().isEmpty() || n.domain().equals("ai.onnx") ? RULES.get(n.opType()) : null;
        if (r == null) {
            throw new MissingBackwardRuleException("no backward rule for op "
                    + (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType() + " (node '" + n.name()
                    + "'), which lies between the parameters and the loss; rules exist for " + opTypes());
        }
        return r;
    }
}

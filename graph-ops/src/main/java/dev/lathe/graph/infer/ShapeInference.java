package dev.lathe.graph.infer;

import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.TensorType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Type and shape inference over the IR. Rules are registered per op type (ai.onnx domain unless qualified as
 * "domain::Op"); an op with no rule is an error naming the node, so a model either type-checks or says where not.
 */
public final class ShapeInference {
    private static final Map<String, OpRule> RULES = new HashMap<>();

    static {
        OnnxRules.registerAll();
    }

    private ShapeInference() {}

    public static void register(String opType, OpRule rule) {
        RULES.put(opType, rule);
    }

    public static boolean hasRule(String domain, String opType) {
        return RULES.containsKey(key(domain, opType));
    }

    private static String key(String domain, String opType) {
        return domain.isEmpty() || domain.equals("ai.onnx") ? opType : domain + "::" + opType;
    }

    /** Infers and sets the types of a node's outputs. */
    public static void inferNode(Node n, long opset) {
        OpRule rule = RULES.get(key(n.domain(), n.opType()));
        if (rule == null) {
            throw new ShapeInferenceException(n.describe() + ": no shape inference rule for op "
                    + (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType());
        }
        List<TensorType> types = rule.infer(new InferenceContext(n, opset));
        if (types.size() < n.outputs().size()) {
            throw new ShapeInferenceException(n.describe() + ": rule gave " + types.size() + " output types for "
                    + n.outputs().size() + " outputs");
        }
        for (int i = 0; i < n.outputs().size(); i++) {
            n.output(i).setType(types.get(i));
        }
    }

    /** Infers every node of a graph in order (the graph must be topologically sorted). */
    public static void inferGraph(Graph g, long opset) {
        for (Node n : g.nodes()) {
            inferNode(n, opset);
        }
    }

    public static void inferModel(Model m) {
        inferGraph(m.graph(), m.opset());
    }
}

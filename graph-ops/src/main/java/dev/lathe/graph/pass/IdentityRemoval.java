package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;

/**
 * Removes ai.onnx {@code Identity} nodes, pointing their consumers at the Identity's input. Graph output names are
 * part of the model's interface and stay as they are: when an Identity feeds a graph output, its input's producer
 * takes over the output's name instead. That is impossible, and the Identity stays, when the input is a graph input,
 * an initializer, another graph output or a value from an enclosing scope, since renaming those would change
 * another name the model exposes. Subgraphs are processed too.
 */
public final class IdentityRemoval implements Pass {

    @Override
    public PassResult apply(Model model) {
        return new PassResult(model, process(model.graph()));
    }

    static boolean process(Graph g) {
        boolean modified = false;
        for (Node n : new ArrayList<>(g.nodes())) {
            for (Graph sub : Graph.subgraphs(n)) {
                modified |= process(sub);
            }
            if (!n.opType().equals("Identity") || !n.domain().isEmpty() || n.inputs().size() != 1
                    || n.input(0) == null) {
                continue;
            }
            Value in = n.input(0);
            Value out = n.output(0);
            if (!g.outputs().contains(out)) {
                out.replaceAllUsesWith(in);
                g.removeNode(n);
                modified = true;
            } else if (canTakeOverName(g, in)) {
                String name = out.name();
                out.replaceAllUsesWith(in, true);
                g.removeNode(n);
                in.setName(name);
                if (out.type() != null) {
                    in.setType(out.type()); // the declared output type is what users of the model rely on
                }
                modified = true;
            }
        }
        return modified;
    }

    /** True when {@code v} is an intermediate value of {@code g} whose name no one outside the graph sees. */
    private static boolean canTakeOverName(Graph g, Value v) {
        return v.producer() != null && v.producer().graph() == g && !g.outputs().contains(v);
    }
}

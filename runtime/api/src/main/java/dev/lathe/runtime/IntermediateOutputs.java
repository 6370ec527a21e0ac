package dev.lathe.runtime;

import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Serialises a model with some intermediate values promoted to graph outputs, for runtimes that compile from ONNX
 * bytes. The model is restored afterwards, so callers' models are left as they were.
 */
public final class IntermediateOutputs {
    private IntermediateOutputs() {}

    /**
     * @param names values to expose; names that already are graph outputs are left as they are
     * @throws InferenceException naming a value the graph does not have
     */
    public static byte[] serializeWith(Model model, List<String> names, String modelName) {
        Graph g = model.graph();
        Map<String, Value> values = g.valuesByName();
        List<Value> added = new ArrayList<>();
        for (String name : names) {
            Value v = values.get(name);
            if (v == null) {
                throw new InferenceException("cannot expose '" + name + "' as an output of " + modelName
                        + ": the graph has no value of that name (" + values.size() + " values, e.g. "
                        + sample(values) + ")");
            }
            if (!g.outputs().contains(v) && !added.contains(v)) {
                added.add(v);
            }
        }
        int before = g.outputs().size();
        try {
            for (Value v : added) {
                g.addOutput(v);
            }
            return Onnx.toBytes(model);
        } finally {
            while (g.outputs().size() > before) {
                g.removeOutput(g.outputs().size() - 1);
            }
        }
    }

    private static String sample(Map<String, Value> values) {
        List<String> first = new ArrayList<>();
        for (String s : new TreeSet<>(values.keySet())) {
            if (first.size() == 5) {
                break;
            }
            first.add(s);
        }
        return first.toString();
    }
}

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
 * bytes. The outputs are added to a copy ({@link Model#copy()}), so callers' models are never touched.
 */
public final class IntermediateOutputs {
    private IntermediateOutputs() {}

    /**
     * @param names values to expose; names that already are graph outputs are left as they are
     * @throws InferenceException naming a value the graph does not have
     */
    public static byte[] serializeWith(Model model, List<String> names, String modelName) {
        Model exposed = model.copy();
        Graph g = exposed.graph();
        Map<String, Value> values = g.valuesByName();
        for (String name : names) {
            Value v = values.get(name);
            if (v == null) {
                throw new InferenceException("cannot expose '" + name + "' as an output of " + modelName
                        + ": the graph has no value of that name (" + values.size() + " values, e.g. "
                        + sample(values) + ")");
            }
            if (!g.outputs().contains(v)) {
                g.addOutput(v);
            }
        }
        return Onnx.toBytes(exposed);
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

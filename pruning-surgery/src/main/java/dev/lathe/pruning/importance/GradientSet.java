package dev.lathe.pruning.importance;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameter gradients as data, one entry per backward pass (batch): gradient tensors keyed by parameter
 * (initializer) name, and the class of the batch when every sample in it has one class (CIC's single-class batches).
 *
 * <p>On disk it is an ONNX file whose graph holds only initializers: {@code <param>} for a single batch, or
 * {@code b<batch>.c<class>/<param>} for several (class -1 when mixed).
 */
public record GradientSet(List<Batch> batches) {

    /** One backward pass. */
    public record Batch(int classLabel, Map<String, Tensor> gradients) {}

    private static final Pattern KEY = Pattern.compile("b(\\d+)\\.c(-?\\d+)/(.+)");

    public static GradientSet load(Path file) throws IOException {
        Model m = Onnx.load(file);
        Map<Integer, Map<String, Tensor>> byBatch = new LinkedHashMap<>();
        Map<Integer, Integer> classOf = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : m.graph().initializers().entrySet()) {
            Matcher k = KEY.matcher(e.getKey());
            int batch = 0;
            int cls = -1;
            String param = e.getKey();
            if (k.matches()) {
                batch = Integer.parseInt(k.group(1));
                cls = Integer.parseInt(k.group(2));
                param = k.group(3);
            }
            Integer prior = classOf.putIfAbsent(batch, cls);
            if (prior != null && prior != cls) {
                throw new IllegalArgumentException(file + ": batch " + batch + " has tensors of classes " + prior
                        + " and " + cls);
            }
            byBatch.computeIfAbsent(batch, b -> new LinkedHashMap<>()).put(param, e.getValue().constValue());
        }
        if (byBatch.isEmpty()) {
            throw new IllegalArgumentException(file + ": no gradient tensors (expected initializers named <param> or "
                    + "b<batch>.c<class>/<param>)");
        }
        List<Batch> out = new ArrayList<>();
        byBatch.forEach((b, g) -> out.add(new Batch(classOf.get(b), g)));
        return new GradientSet(out);
    }

    /** Writes the set in the format {@link #load} reads. */
    public void save(Path file) throws IOException {
        dev.lathe.graph.ir.Graph g = new dev.lathe.graph.ir.Graph("gradients");
        for (int i = 0; i < batches.size(); i++) {
            Batch b = batches.get(i);
            for (Map.Entry<String, Tensor> e : b.gradients().entrySet()) {
                g.addInitializer("b" + i + ".c" + b.classLabel() + "/" + e.getKey(), e.getValue());
            }
        }
        Onnx.save(new Model(g), file);
    }
}

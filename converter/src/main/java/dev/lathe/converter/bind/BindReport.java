package dev.lathe.converter.bind;

import dev.lathe.graph.ir.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What binding a state_dict to a graph did, in the vocabulary of PyTorch's {@code load_state_dict}: bound keys,
 * missing keys (parameter initializers the file lacks), unexpected keys (file keys no initializer has), mismatches
 * (same key, different shape or an unconvertible dtype), dtype conversions made, and training counters
 * ({@code num_batches_tracked}) that inference graphs never hold and so are set aside, not reported as unexpected.
 */
public final class BindReport {
    /** One key whose tensor cannot replace the initializer: the file's and the model's shape and dtype. */
    public record Mismatch(String key, long[] fileShape, DataType fileType, long[] modelShape, DataType modelType) {
        public String describe() {
            if (!Arrays.equals(fileShape, modelShape)) {
                return "size mismatch for " + key + ": copying a param with shape " + Arrays.toString(fileShape)
                        + " from checkpoint, the shape in current model is " + Arrays.toString(modelShape);
            }
            return "dtype mismatch for " + key + ": checkpoint holds " + fileType + ", model expects " + modelType
                    + " (no lossless or rounding conversion between them)";
        }
    }

    final String source;
    final boolean strict;
    final List<String> bound = new ArrayList<>();
    final List<String> missing = new ArrayList<>();
    final List<String> unexpected = new ArrayList<>();
    final List<Mismatch> mismatched = new ArrayList<>();
    final Map<String, String> converted = new LinkedHashMap<>();
    final List<String> counters = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    boolean applied;

    BindReport(String source, boolean strict) {
        this.source = source;
        this.strict = strict;
    }

    public String source() {
        return source;
    }

    public boolean strict() {
        return strict;
    }

    public List<String> bound() {
        return List.copyOf(bound);
    }

    public List<String> missing() {
        return List.copyOf(missing);
    }

    public List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    public List<Mismatch> mismatched() {
        return List.copyOf(mismatched);
    }

    /** Key to "FROM -> TO" for every tensor whose dtype was converted to the initializer's. */
    public Map<String, String> converted() {
        return Map.copyOf(converted);
    }

    /** {@code num_batches_tracked} keys of bound BatchNorm layers, set aside. */
    public List<String> counters() {
        return List.copyOf(counters);
    }

    /** How the state_dict was located (wrapper, prefix). */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** Whether every parameter matched: nothing missing, unexpected or mismatched. */
    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /** Whether the graph was changed (strict binding changes nothing unless clean). */
    public boolean applied() {
        return applied;
    }

    /** A multi-line account, PyTorch's wording for the error lines. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("state_dict: ").append(source).append('\n');
        for (String n : notes) {
            sb.append("  note: ").append(n).append('\n');
        }
        sb.append(applied ? "bound " : "would bind ").append(bound.size()).append(" tensors")
                .append(applied ? "" : " (nothing changed: strict binding found errors)").append('\n');
        if (!missing.isEmpty()) {
            sb.append("Missing key(s) in state_dict: ").append(quoted(missing)).append(".\n");
        }
        if (!unexpected.isEmpty()) {
            sb.append("Unexpected key(s) in state_dict: ").append(quoted(unexpected)).append(".\n");
        }
        for (Mismatch m : mismatched) {
            sb.append(m.describe()).append(".\n");
        }
        if (!converted.isEmpty()) {
            Map<String, Integer> byPair = new LinkedHashMap<>();
            converted.values().forEach(v -> byPair.merge(v, 1, Integer::sum));
            byPair.forEach((pair, n) -> sb.append("converted dtype ").append(pair).append(" for ").append(n)
                    .append(" tensors\n"));
        }
        if (!counters.isEmpty()) {
            sb.append("set aside ").append(counters.size())
                    .append(" BatchNorm num_batches_tracked counters (training state, not used by the graph)\n");
        }
        return sb.toString();
    }

    private static String quoted(List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append('"').append(k).append('"');
        }
        return sb.toString();
    }
}

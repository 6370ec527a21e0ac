package dev.lathe.converter.bind;

import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.CheckpointFormatException;
import dev.lathe.converter.ckpt.PyObject;
import dev.lathe.converter.ckpt.StoredTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state_dict found inside a checkpoint: tensors by key, in the file's order, plus a plain account of where they
 * came from (which wrapper key, which prefix was stripped, what was left out), so a user can check the choice.
 */
public final class StateDict {
    /** Wrapper keys tried in order when the file is not a bare state_dict. */
    public static final List<String> WRAPPER_KEYS = List.of("state_dict", "model", "net", "state_dict_ema");

    private static final String ISP_PREDICTOR = "predictor.model.";

    private final Map<String, StoredTensor> tensors;
    private final String source;
    private final String strippedPrefix;
    private final List<String> notes;

    private StateDict(Map<String, StoredTensor> tensors, String source, String strippedPrefix, List<String> notes) {
        this.tensors = tensors;
        this.source = source;
        this.strippedPrefix = strippedPrefix;
        this.notes = notes;
    }

    public Map<String, StoredTensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Where the tensors were found, e.g. {@code checkpoint['state_dict'] (torch-pruning full_state_dict)}. */
    public String source() {
        return source;
    }

    /** The key prefix removed from every kept key ("" when none). */
    public String strippedPrefix() {
        return strippedPrefix;
    }

    /** What was chosen automatically or left out, one sentence each. */
    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    /**
     * Finds the state_dict: under {@code key} when given ({@code a/b} walks nested dicts), else the first of
     * {@link #WRAPPER_KEYS} holding a dict of tensors, else the top-level dict itself when it holds tensors (a bare
     * state_dict; metrics such as a tensor {@code best_acc1} beside a wrapper do not make one). Then a torch-pruning
     * {@code full_state_dict} is flattened and a common prefix ({@code module.}, ISP's {@code predictor.model.[module.]}
     * or {@code selector.}) is stripped.
     */
    public static StateDict locate(Checkpoint ckpt, String key) throws CheckpointFormatException {
        Object root = ckpt.root();
        List<String> notes = new ArrayList<>();
        Object chosen;
        String source;
        if (key != null) {
            chosen = root;
            StringBuilder path = new StringBuilder("checkpoint");
            for (String part : key.split("/")) {
                if (!(chosen instanceof Map) || !((Map<?, ?>) chosen).containsKey(part)) {
                    throw new CheckpointFormatException(ckpt.file() + ": no key '" + part + "' in " + path
                            + (chosen instanceof Map ? "; its keys: " + keyList((Map<?, ?>) chosen) : ", not a dict"));
                }
                chosen = ((Map<?, ?>) chosen).get(part);
                path.append("['").append(part).append("']");
            }
            source = path + " (--key)";
        } else if (!(root instanceof Map)) {
            throw new CheckpointFormatException(ckpt.file() + ": holds a " + describe(root) + ", not a dict of tensors");
        } else {
            Map<?, ?> top = (Map<?, ?>) root;
            String wrapper = null;
            for (String w : WRAPPER_KEYS) {
                Object v = top.get(w);
                if (v instanceof Map && (holdsTensors((Map<?, ?>) v) || ((Map<?, ?>) v).containsKey("full_state_dict"))) {
                    wrapper = w;
                    break;
                }
            }
            if (wrapper == null && holdsTensors(top)) {
                chosen = root;
                source = "checkpoint (a bare state_dict)";
            } else if (wrapper == null) {
                throw new CheckpointFormatException(ckpt.file() + ": no state_dict found: the top-level dict holds no "
                        + "tensors and none of " + WRAPPER_KEYS + "; its keys: " + keyList(top)
                        + "; choose one with --key");
            } else {
                chosen = top.get(wrapper);
                source = "checkpoint['" + wrapper + "']";
                for (String other : WRAPPER_KEYS) {
                    if (!other.equals(wrapper) && top.get(other) instanceof Map) {
                        notes.add("checkpoint also holds '" + other + "'; select it with --key " + other);
                    }
                }
            }
        }
        if (!(chosen instanceof Map)) {
            throw new CheckpointFormatException(ckpt.file() + ": " + source + " is a " + describe(chosen)
                    + ", not a dict of tensors");
        }
        Map<?, ?> dict = (Map<?, ?>) chosen;
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        if (dict.get("full_state_dict") instanceof Map) {
            source += " (torch-pruning full_state_dict)";
            flattenModuleDicts(ckpt.file(), (Map<?, ?>) dict.get("full_state_dict"), tensors);
        } else {
            List<String> skipped = new ArrayList<>();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (e.getValue() instanceof StoredTensor) {
                    tensors.put(String.valueOf(e.getKey()), (StoredTensor) e.getValue());
                } else {
                    skipped.add(String.valueOf(e.getKey()));
                }
            }
            if (!skipped.isEmpty()) {
                notes.add("skipped " + skipped.size() + " non-tensor entries: " + preview(skipped));
            }
        }
        if (tensors.isEmpty()) {
            throw new CheckpointFormatException(ckpt.file() + ": " + source + " holds no tensors");
        }
        String prefix = commonPrefix(tensors.keySet());
        Map<String, StoredTensor> kept = tensors;
        if (!prefix.isEmpty()) {
            kept = new LinkedHashMap<>();
            List<String> dropped = new ArrayList<>();
            for (Map.Entry<String, StoredTensor> e : tensors.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    kept.put(e.getKey().substring(prefix.length()), e.getValue());
                } else {
                    dropped.add(e.getKey());
                }
            }
            notes.add("stripped key prefix '" + prefix + "'");
            if (!dropped.isEmpty()) {
                notes.add("left out " + dropped.size() + " keys outside '" + prefix + "': " + preview(dropped));
            }
        }
        return new StateDict(kept, source, prefix, notes);
    }

    /**
     * torch-pruning's {@code tp.state_dict}: module name to a copy of the module's {@code __dict__}. Each module's own
     * {@code _parameters} and {@code _buffers} (minus non-persistent buffers) give the keys, in named_modules order,
     * which is state_dict order.
     */
    private static void flattenModuleDicts(String file, Map<?, ?> modules, Map<String, StoredTensor> out)
            throws CheckpointFormatException {
        for (Map.Entry<?, ?> m : modules.entrySet()) {
            String name = String.valueOf(m.getKey());
            Object attrs = m.getValue();
            if (attrs instanceof PyObject) {
                attrs = ((PyObject) attrs).state();
            }
            if (!(attrs instanceof Map)) {
                throw new CheckpointFormatException(file + ": full_state_dict['" + name + "'] is a "
                        + describe(attrs) + ", expected a module __dict__");
            }
            Map<?, ?> a = (Map<?, ?>) attrs;
            Object nonPersistent = a.get("_non_persistent_buffers_set");
            for (String slot : List.of("_parameters", "_buffers")) {
                Object group = a.get(slot);
                if (!(group instanceof Map)) {
                    continue;
                }
                for (Map.Entry<?, ?> p : ((Map<?, ?>) group).entrySet()) {
                    if (!(p.getValue() instanceof StoredTensor)) {
                        continue;
                    }
                    if (slot.equals("_buffers") && nonPersistent instanceof Set
                            && ((Set<?>) nonPersistent).contains(p.getKey())) {
                        continue;
                    }
                    out.put(name.isEmpty() ? String.valueOf(p.getKey()) : name + "." + p.getKey(),
                            (StoredTensor) p.getValue());
                }
            }
        }
    }

    /** ISP's predictor prefix when any key carries it, else a prefix every key shares. */
    static String commonPrefix(Set<String> keys) {
        boolean anyPredictor = keys.stream().anyMatch(k -> k.startsWith(ISP_PREDICTOR));
        if (anyPredictor) {
            boolean allParallel = keys.stream().filter(k -> k.startsWith(ISP_PREDICTOR))
                    .allMatch(k -> k.startsWith(ISP_PREDICTOR + "module."));
            return allParallel ? ISP_PREDICTOR + "module." : ISP_PREDICTOR;
        }
        for (String p : List.of("module.", "selector.")) {
            if (keys.stream().allMatch(k -> k.startsWith(p))) {
                return p;
            }
        }
        return "";
    }

    private static boolean holdsTensors(Map<?, ?> m) {
        for (Object v : m.values()) {
            if (v instanceof StoredTensor) {
                return true;
            }
        }
        return false;
    }

    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[]) {
            return "tuple";
        }
        if (o instanceof PyObject) {
            return ((PyObject) o).type();
        }
        return o.getClass().getSimpleName();
    }

    private static String keyList(Map<?, ?> m) {
        List<String> keys = new ArrayList<>();
        for (Object k : m.keySet()) {
            keys.add(String.valueOf(k));
        }
        return preview(keys);
    }

    static String preview(List<String> items) {
        int shown = Math.min(items.size(), 8);
        String head = String.join(", ", items.subList(0, shown));
        return items.size() > shown ? head + ", ... (" + items.size() + " in all)" : head;
    }
}

package dev.lathe.converter.ckpt;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a checkpoint holds, found by walking its object tree: every tensor with its path
 * ({@code state_dict/layer1.0.conv1.weight}), and every plain value (epoch, arch, metrics, arguments) with its path.
 * The walk stops at {@link #MAX_DEPTH} levels and visits each container once, so crafted cycles or deep nesting end
 * with a clear error rather than a stack overflow.
 */
public final class CheckpointInventory {
    /** Deeper than any real checkpoint (Python's own recursion limit stops torch.save near 1000). */
    public static final int MAX_DEPTH = 200;

    /** A tensor and where it sits. */
    public record TensorEntry(String path, StoredTensor tensor) {}

    /** A non-tensor leaf value, rendered as text, and where it sits. */
    public record ValueEntry(String path, String type, String value) {}

    private final List<TensorEntry> tensors = new ArrayList<>();
    private final List<ValueEntry> values = new ArrayList<>();
    private final Map<Object, Boolean> seen = new IdentityHashMap<>();
    private final String file;

    private CheckpointInventory(String file) {
        this.file = file;
    }

    public static CheckpointInventory of(Checkpoint ckpt) throws CheckpointFormatException {
        CheckpointInventory inv = new CheckpointInventory(ckpt.file());
        inv.walk("", ckpt.root(), 0);
        return inv;
    }

    public List<TensorEntry> tensors() {
        return Collections.unmodifiableList(tensors);
    }

    public List<ValueEntry> values() {
        return Collections.unmodifiableList(values);
    }

    /** Bytes of all tensors, counting each one's own elements (views of one storage count separately). */
    public long tensorBytes() {
        long sum = 0;
        for (TensorEntry t : tensors) {
            sum += t.tensor().byteSize();
        }
        return sum;
    }

    private static String join(String path, Object key) {
        String k = String.valueOf(key);
        return path.isEmpty() ? k : path + "/" + k;
    }

    private void walk(String path, Object o, int depth) throws CheckpointFormatException {
        if (depth > MAX_DEPTH) {
            throw new CheckpointFormatException(file + ": objects nest deeper than " + MAX_DEPTH + " levels at "
                    + path.substring(0, Math.min(path.length(), 200)));
        }
        if (o instanceof StoredTensor) {
            tensors.add(new TensorEntry(path, (StoredTensor) o));
            return;
        }
        boolean container = o instanceof Map || o instanceof Collection || o instanceof Object[]
                || o instanceof PyObject || o instanceof Namespace;
        if (container && seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                walk(join(path, e.getKey()), e.getValue(), depth + 1);
            }
        } else if (o instanceof Namespace) {
            for (Map.Entry<String, Object> e : ((Namespace) o).attributes().entrySet()) {
                walk(join(path, e.getKey()), e.getValue(), depth + 1);
            }
        } else if (o instanceof PyObject) {
            PyObject p = (PyObject) o;
            values.add(new ValueEntry(path, p.type(), "<" + p.type() + ">"));
            if (p.state() != null) {
                walk(path, p.state(), depth + 1);
            }
        } else if (o instanceof Collection || o instanceof Object[]) {
            List<?> items = o instanceof Object[] ? Arrays.asList((Object[]) o) : new ArrayList<>((Collection<?>) o);
            if (isPlainList(items)) {
                values.add(new ValueEntry(path, o instanceof Object[] ? "tuple" : "list", render(items)));
                return;
            }
            for (int i = 0; i < items.size(); i++) {
                walk(join(path, i), items.get(i), depth + 1);
            }
        } else {
            values.add(new ValueEntry(path, typeOf(o), o instanceof byte[] ? ((byte[]) o).length + " bytes"
                    : String.valueOf(o)));
        }
    }

    private static boolean isPlainList(List<?> items) {
        if (items.size() > 16) {
            return false;
        }
        for (Object i : items) {
            if (!(i == null || i instanceof String || i instanceof Number || i instanceof Boolean)) {
                return false;
            }
        }
        return true;
    }

    private static String render(List<?> items) {
        StringBuilder sb = new StringBuilder("[");
        for (Object i : items) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(i instanceof String ? "'" + i + "'" : String.valueOf(i));
        }
        return sb.append(']').toString();
    }

    private static String typeOf(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Integer || o instanceof Long || o instanceof BigInteger) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof GlobalRef) {
            return "global";
        }
        return o.getClass().getSimpleName();
    }
}

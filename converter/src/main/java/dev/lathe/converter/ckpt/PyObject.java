package dev.lathe.converter.ckpt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An inert record of a Python object whose class is not on the allowlist: the class's qualified name, the arguments
 * the pickle passed to it and the state a BUILD opcode gave it. Nothing of the class is looked up or run; the record
 * only lets tools show it and find tensors inside it (torch-pruning pickles whole nn.Modules).
 */
public final class PyObject {
    private final String type;
    private final List<Object> args;
    private final Map<Object, Object> kwargs;
    private final List<Object> states = new ArrayList<>();

    PyObject(String type, List<Object> args, Map<Object, Object> kwargs) {
        this.type = type;
        this.args = args;
        this.kwargs = kwargs;
    }

    /** {@code module.qualname}, e.g. {@code torch.nn.modules.conv.Conv2d}. */
    public String type() {
        return type;
    }

    public List<Object> args() {
        return Collections.unmodifiableList(args);
    }

    public Map<Object, Object> kwargs() {
        return kwargs == null ? Map.of() : Collections.unmodifiableMap(kwargs);
    }

    /** The last state a BUILD opcode set (usually the instance {@code __dict__}), or null. */
    public Object state() {
        return states.isEmpty() ? null : states.get(states.size() - 1);
    }

    void addState(Object state) {
        states.add(state);
    }

    @Override
    public String toString() {
        return "<" + type + ">";
    }
}

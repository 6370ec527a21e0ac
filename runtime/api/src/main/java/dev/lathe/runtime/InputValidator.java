package dev.lathe.runtime;

import dev.lathe.graph.ir.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks every runtime makes before a run, so all of them reject bad inputs with the same messages. Lives here
 * rather than in each runtime because the messages are part of the contract (the CLI prints them as they are).
 */
public final class InputValidator {
    private InputValidator() {}

    /**
     * Checks names, element types, ranks, fixed dimensions and the consistency of symbolic dimensions.
     * @return the size bound to each symbolic dimension name, e.g. {N=8}
     * @throws InputMismatchException naming the input, what the model expects and what was given
     */
    public static Map<String, Long> validate(List<TensorSpec> specs, Map<String, HostTensor> given) {
        Map<String, TensorSpec> byName = new HashMap<>();
        for (TensorSpec s : specs) {
            byName.put(s.name(), s);
        }
        for (String name : given.keySet()) {
            if (!byName.containsKey(name)) {
                throw new InputMismatchException("unknown input '" + name + "'; the model's inputs are "
                        + describeAll(specs));
            }
        }
        Map<String, Long> symbols = new HashMap<>();
        Map<String, String> symbolSource = new HashMap<>();
        for (TensorSpec spec : specs) {
            HostTensor t = given.get(spec.name());
            if (t == null) {
                throw new InputMismatchException("missing input '" + spec.name() + "' (" + spec.describe()
                        + "); the model's inputs are " + describeAll(specs));
            }
            if (t.dtype() != spec.dtype()) {
                throw new InputMismatchException("input '" + spec.name() + "' has element type "
                        + TensorSpec.dtypeName(t.dtype()) + ", model expects " + TensorSpec.dtypeName(spec.dtype())
                        + " (" + spec.describe() + ")");
            }
            long[] shape = t.shape();
            if (!spec.accepts(shape)) {
                throw new InputMismatchException("input '" + spec.name() + "' has shape " + Arrays.toString(shape)
                        + ", model expects " + spec.shape());
            }
            for (int i = 0; i < shape.length; i++) {
                Dim d = spec.shape().get(i);
                if (d instanceof Dim.Symbolic s) {
                    Long bound = symbols.putIfAbsent(s.name(), shape[i]);
                    if (bound == null) {
                        symbolSource.put(s.name(), spec.name());
                    } else if (bound != shape[i]) {
                        throw new InputMismatchException("input '" + spec.name() + "' has shape "
                                + Arrays.toString(shape) + " with " + s.name() + "=" + shape[i] + ", but input '"
                                + symbolSource.get(s.name()) + "' set " + s.name() + "=" + bound + " (model expects "
                                + spec.shape() + ")");
                    }
                }
            }
        }
        return symbols;
    }

    /** Checks requested output names; returns them de-duplicated in the given order. */
    public static List<String> validateOutputNames(List<TensorSpec> outputs, Collection<String> requested) {
        Set<String> known = new LinkedHashSet<>();
        for (TensorSpec s : outputs) {
            known.add(s.name());
        }
        Set<String> out = new LinkedHashSet<>();
        for (String name : requested) {
            if (!known.contains(name)) {
                throw new InputMismatchException("unknown output '" + name + "'; the session's outputs are " + known);
            }
            out.add(name);
        }
        if (out.isEmpty()) {
            throw new InputMismatchException("no outputs requested; the session's outputs are " + known);
        }
        return new ArrayList<>(out);
    }

    private static String describeAll(List<TensorSpec> specs) {
        List<String> parts = new ArrayList<>();
        for (TensorSpec s : specs) {
            parts.add(s.name() + ": " + s.describe());
        }
        return parts.toString();
    }
}

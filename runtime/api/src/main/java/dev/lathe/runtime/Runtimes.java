package dev.lathe.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The installed runtimes, by name: every {@link RuntimeProvider} on the class path (as DJL finds its engines). */
public final class Runtimes {
    private Runtimes() {}

    /** Names of the installed runtimes, sorted, whether or not they can run here. */
    public static List<String> names() {
        return new ArrayList<>(byName(ServiceLoader.load(RuntimeProvider.class)).keySet());
    }

    /**
     * The runtime called {@code name}.
     * @throws RuntimeUnavailableException with one line naming the installed runtimes when none has that name, or
     *     saying why the named one cannot run here
     */
    public static InferenceRuntime get(String name) {
        return get(name, ServiceLoader.load(RuntimeProvider.class));
    }

    static InferenceRuntime get(String name, Iterable<RuntimeProvider> installed) {
        TreeMap<String, RuntimeProvider> providers = byName(installed);
        RuntimeProvider p = providers.get(name);
        if (p == null) {
            throw new RuntimeUnavailableException("unknown runtime '" + name + "'; installed: "
                    + (providers.isEmpty() ? "none (add a runtime module such as lathe-runtime-ort to the class path)"
                            : String.join(", ", providers.keySet())));
        }
        String why = p.unavailableReason().orElse(null);
        if (why != null) {
            throw new RuntimeUnavailableException("runtime '" + name + "' cannot run here: " + why);
        }
        return p.create();
    }

    private static TreeMap<String, RuntimeProvider> byName(Iterable<RuntimeProvider> installed) {
        TreeMap<String, RuntimeProvider> m = new TreeMap<>();
        for (RuntimeProvider p : installed) {
            RuntimeProvider twin = m.put(p.name(), p);
            if (twin != null) {
                throw new IllegalStateException("two runtimes are called '" + p.name() + "': "
                        + twin.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return m;
    }
}

package dev.lathe.runtime;

import java.util.List;

/**
 * How to compile a session, in runtime-neutral terms; each runtime maps what it can and says what it cannot.
 *
 * @param device where to run
 * @param intraOpThreads threads inside one operator; 0 lets the runtime choose
 * @param interOpThreads threads across independent operators; 0 lets the runtime choose
 * @param optimization how far the runtime may rewrite the graph
 * @param exposedIntermediates names of intermediate values to expose as extra outputs (calibration reads
 *     activations this way: one session, one run, every tensor of interest), in addition to the model's outputs
 */
public record SessionConfig(Device device, int intraOpThreads, int interOpThreads, Optimization optimization,
                            List<String> exposedIntermediates) {

    public SessionConfig {
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("thread counts must be >= 0 (0 = runtime default), got intra="
                    + intraOpThreads + " inter=" + interOpThreads);
        }
        exposedIntermediates = List.copyOf(exposedIntermediates);
    }

    /** CPU, runtime-chosen threads, all optimisations, no extra outputs. */
    public static SessionConfig defaults() {
        return new SessionConfig(Device.CPU, 0, 0, Optimization.ALL, List.of());
    }

    public SessionConfig withDevice(Device d) {
        return new SessionConfig(d, intraOpThreads, interOpThreads, optimization, exposedIntermediates);
    }

    public SessionConfig withThreads(int intra, int inter) {
        return new SessionConfig(device, intra, inter, optimization, exposedIntermediates);
    }

    public SessionConfig withOptimization(Optimization o) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, o, exposedIntermediates);
    }

    public SessionConfig withExposedIntermediates(List<String> names) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, optimization, names);
    }

    /** A device: kind plus index (the GPU ordinal; 0 for CPU). */
    public record Device(Kind kind, int index) {
        public static final Device CPU = new Device(Kind.CPU, 0);

        public enum Kind { CPU, CUDA }

        public static Device cuda(int index) {
            return new Device(Kind.CUDA, index);
        }

        /** Parses "cpu", "cuda" or "cuda:N". */
        public static Device parse(String s) {
            String t = s.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.equals("cpu")) {
                return CPU;
            }
            if (t.equals("cuda")) {
                return cuda(0);
            }
            if (t.startsWith("cuda:")) {
                try {
                    return cuda(Integer.parseInt(t.substring(5)));
                } catch (NumberFormatException e) {
                    // falls through to the message below
                }
            }
            throw new IllegalArgumentException("device '" + s + "' is not one of cpu, cuda, cuda:N");
        }

        @Override
        public String toString() {
            return kind == Kind.CPU ? "cpu" : "cuda:" + index;
        }
    }

    /** Graph optimisation levels, after ONNX Runtime's (TensorRT maps them to builder optimisation levels). */
    public enum Optimization { NONE, BASIC, EXTENDED, ALL }
}

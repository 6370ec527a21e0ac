package dev.lathe.runtime;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to compile a session, in runtime-neutral terms; each runtime maps what it can and says what it cannot.
 *
 * @param device where to run
 * @param intraOpThreads threads inside one operator; 0 lets the runtime choose
 * @param interOpThreads threads across independent operators; 0 lets the runtime choose
 * @param optimization how far the runtime may rewrite the graph
 * @param exposedIntermediates names of intermediate values to expose as extra outputs (calibration reads
 *     activations this way: one session, one run, every tensor of interest), in addition to the model's outputs
 * @param precision the arithmetic the runtime may use (an engine builder's precision flags)
 * @param shapeProfiles per input name, the range of shapes a session must accept (an engine builder needs the range
 *     of every dynamic input ahead of time; runtimes that take any shape per run need none)
 * @param cacheDir where a runtime may keep what it compiled (engines, kernel timing) between sessions; null for none
 * @param idleSpinning whether the session's worker threads spin between runs waiting for work (ORT's default:
 *     lower latency for one session run back to back); sessions that run in turn, as a cascade's stages do, turn
 *     it off, or each idle pool spins on the cores the next session needs
 */
public record SessionConfig(Device device, int intraOpThreads, int interOpThreads, Optimization optimization,
                            List<String> exposedIntermediates, Precision precision,
                            Map<String, ShapeProfile> shapeProfiles, Path cacheDir, boolean idleSpinning) {

    public SessionConfig {
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("thread counts must be >= 0 (0 = runtime default), got intra="
                    + intraOpThreads + " inter=" + interOpThreads);
        }
        exposedIntermediates = List.copyOf(exposedIntermediates);
        shapeProfiles = Collections.unmodifiableMap(new LinkedHashMap<>(shapeProfiles));
    }

    /**
     * CPU, runtime-chosen threads, all optimisations, no extra outputs, FP32, no shape profiles, no cache, idle
     * spinning on.
     */
    public static SessionConfig defaults() {
        return new SessionConfig(Device.CPU, 0, 0, Optimization.ALL, List.of(), Precision.FP32, Map.of(), null,
                true);
    }

    public SessionConfig withDevice(Device d) {
        return new SessionConfig(d, intraOpThreads, interOpThreads, optimization, exposedIntermediates, precision,
                shapeProfiles, cacheDir, idleSpinning);
    }

    public SessionConfig withThreads(int intra, int inter) {
        return new SessionConfig(device, intra, inter, optimization, exposedIntermediates, precision, shapeProfiles,
                cacheDir, idleSpinning);
    }

    public SessionConfig withOptimization(Optimization o) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, o, exposedIntermediates, precision,
                shapeProfiles, cacheDir, idleSpinning);
    }

    public SessionConfig withExposedIntermediates(List<String> names) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, optimization, names, precision,
                shapeProfiles, cacheDir, idleSpinning);
    }

    public SessionConfig withPrecision(Precision p) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, optimization, exposedIntermediates, p,
                shapeProfiles, cacheDir, idleSpinning);
    }

    /** Adds (or replaces) the shape range of one input. */
    public SessionConfig withShapeProfile(String input, ShapeProfile profile) {
        Map<String, ShapeProfile> m = new LinkedHashMap<>(shapeProfiles);
        m.put(input, profile);
        return new SessionConfig(device, intraOpThreads, interOpThreads, optimization, exposedIntermediates, precision,
                m, cacheDir, idleSpinning);
    }

    public SessionConfig withIdleSpinning(boolean spin) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, optimization, exposedIntermediates, precision,
                shapeProfiles, cacheDir, spin);
    }

    public SessionConfig withCacheDir(Path dir) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, optimization, exposedIntermediates, precision,
                shapeProfiles, dir, idleSpinning);
    }

    /**
     * Arithmetic a runtime may use. FP32 runs the graph's own types. FP16 lets the runtime compute float tensors in
     * half precision. INT8_QDQ runs the integer arithmetic that the graph's QuantizeLinear/DequantizeLinear pairs
     * spell out (explicit quantization, the only INT8 TensorRT 11 has), floats elsewhere.
     */
    public enum Precision { FP32, FP16, INT8_QDQ }

    /**
     * The shapes one input may take: every dimension of {@code min} <= {@code opt} <= {@code max}, all of one rank;
     * {@code opt} is the shape to tune for.
     */
    public record ShapeProfile(long[] min, long[] opt, long[] max) {
        public ShapeProfile {
            if (min.length != opt.length || opt.length != max.length) {
                throw new IllegalArgumentException("shape profile ranks differ: min " + Arrays.toString(min) + ", opt "
                        + Arrays.toString(opt) + ", max " + Arrays.toString(max));
            }
            for (int i = 0; i < min.length; i++) {
                if (min[i] < 0 || min[i] > opt[i] || opt[i] > max[i]) {
                    throw new IllegalArgumentException("shape profile needs 0 <= min <= opt <= max in every "
                            + "dimension, dimension " + i + " has " + min[i] + ", " + opt[i] + ", " + max[i]);
                }
            }
            min = min.clone();
            opt = opt.clone();
            max = max.clone();
        }

        /** One fixed shape. */
        public static ShapeProfile fixed(long... shape) {
            return new ShapeProfile(shape, shape, shape);
        }

        @Override
        public long[] min() {
            return min.clone();
        }

        @Override
        public long[] opt() {
            return opt.clone();
        }

        @Override
        public long[] max() {
            return max.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShapeProfile p && Arrays.equals(min, p.min) && Arrays.equals(opt, p.opt)
                    && Arrays.equals(max, p.max);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(min) + Arrays.hashCode(opt)) + Arrays.hashCode(max);
        }

        @Override
        public String toString() {
            return Arrays.toString(min) + ".." + Arrays.toString(opt) + ".." + Arrays.toString(max);
        }
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

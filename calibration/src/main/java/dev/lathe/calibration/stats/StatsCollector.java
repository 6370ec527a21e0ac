package dev.lathe.calibration.stats;

import dev.lathe.graph.ir.DataType;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an FP32 model once per batch and folds each batch's values of the calibrated tensors into their
 * {@link TensorStats}. Only one batch of activations is alive at a time (the session's outputs are closed before
 * the next batch), so memory is (tensors × bins) whatever the number of samples.
 *
 * <p>The session must expose every calibrated tensor that is not a graph input as an output (open it with {@code
 * SessionConfig.withExposedIntermediates(tensors)}); graph inputs are read from the batch itself. The model must
 * have one input (an image batch). A collector continuing another shard's work passes that shard's bin widths
 * ({@link #binWidths}), so that the shards' statistics merge exactly.
 */
public final class StatsCollector {
    private final Session session;
    private final String input;
    private final List<String> tensors;
    private final List<String> fetched; // the calibrated tensors the session outputs (all but the input)
    private final Map<String, Double> startWidths;
    private final Map<String, TensorStats> stats = new LinkedHashMap<>();
    private long samples;

    /**
     * @param tensors names of the tensors to calibrate (e.g. {@link CalibrationTargets#defaults})
     * @param binWidths bin width per tensor to start from (empty: each tensor's first batch chooses)
     */
    public StatsCollector(Session session, List<String> tensors, Map<String, Double> binWidths) {
        if (session.inputs().size() != 1) {
            throw new IllegalArgumentException("calibration feeds one input (an image batch); the model has "
                    + session.inputs().size() + ": " + session.inputs().stream().map(TensorSpec::name).toList());
        }
        this.session = session;
        this.input = session.inputs().get(0).name();
        this.tensors = List.copyOf(tensors);
        this.fetched = this.tensors.stream().filter(t -> !t.equals(input)).toList();
        this.startWidths = Map.copyOf(binWidths);
        Map<String, TensorSpec> outputs = new LinkedHashMap<>();
        session.outputs().forEach(o -> outputs.put(o.name(), o));
        List<String> missing = new ArrayList<>();
        for (String t : this.tensors) {
            if (!t.equals(input)) {
                TensorSpec o = outputs.get(t);
                if (o == null) {
                    missing.add(t);
                } else if (o.dtype() != DataType.FLOAT) {
                    throw new IllegalArgumentException("tensor " + t + " is " + TensorSpec.dtypeName(o.dtype())
                            + "; only float32 tensors are calibrated");
                }
            }
            stats.put(t, TensorStats.empty());
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the session does not output " + missing + "; open it with these"
                    + " tensors exposed as intermediates");
        }
    }

    /** Runs one batch (the model's single input) and updates every tensor's statistics. */
    public void add(HostTensor batch) {
        try (Outputs out = fetched.isEmpty() ? new Outputs(Map.of(), o -> { }) // only the input: nothing to run
                : session.run(Map.of(input, batch), fetched)) {
            // tensors are independent: their batch statistics are made in parallel, then merged in order (and the
            // first failing tensor in that order is the one reported)
            List<Object> batchStats = tensors.parallelStream().map(t -> {
                HostTensor values = t.equals(input) ? batch : out.get(t);
                TensorStats current = stats.get(t);
                double width = current.histogram().width() > 0 ? current.histogram().width()
                        : startWidths.getOrDefault(t, 0.0);
                try {
                    return (Object) TensorStats.of(values.toFloats(), width);
                } catch (IllegalArgumentException e) {
                    return new IllegalArgumentException("tensor " + t + ": " + e.getMessage(), e);
                }
            }).toList();
            for (int i = 0; i < tensors.size(); i++) {
                if (batchStats.get(i) instanceof IllegalArgumentException e) {
                    throw e;
                }
            }
            for (int i = 0; i < tensors.size(); i++) {
                String t = tensors.get(i);
                stats.put(t, stats.get(t).merge((TensorStats) batchStats.get(i)));
            }
        }
        samples += batch.shape()[0];
    }

    /** Statistics per tensor, in the order the tensors were given. */
    public Map<String, TensorStats> stats() {
        return Collections.unmodifiableMap(stats);
    }

    /** Samples (first-dimension rows) seen so far. */
    public long samples() {
        return samples;
    }

    /** Each tensor's histogram bin width, for a collector that will calibrate another shard. */
    public static Map<String, Double> binWidths(Map<String, TensorStats> stats) {
        Map<String, Double> w = new LinkedHashMap<>();
        stats.forEach((t, s) -> w.put(t, s.histogram().width()));
        return w;
    }
}

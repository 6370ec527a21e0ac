package dev.lathe.calibration.stats;

import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.graph.ir.Model;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One calibration pass: an FP32 model run over the data once, with the calibrated tensors exposed. */
public final class Calibration {
    private Calibration() {}

    /** Statistics per tensor and the samples they come from. */
    public record Result(Map<String, TensorStats> stats, long samples) {}

    /**
     * Opens {@code model} on {@code runtime} with {@code tensors} exposed (graph inputs and outputs need not be) and
     * folds every batch of {@code data} into their statistics.
     */
    public static Result collect(InferenceRuntime runtime, SessionConfig config, Model model, List<String> tensors,
            CalibrationData data) throws IOException {
        Set<String> ends = new HashSet<>();
        model.graph().inputs().forEach(v -> ends.add(v.name()));
        model.graph().outputs().forEach(v -> ends.add(v.name()));
        SessionConfig exposed = config.withExposedIntermediates(tensors.stream().filter(t -> !ends.contains(t))
                .toList());
        try (Session session = runtime.open(ModelSource.of(model), exposed)) {
            StatsCollector collector = new StatsCollector(session, tensors, Map.of());
            long seen = data.forEachBatch(collector::add);
            return new Result(collector.stats(), seen);
        }
    }
}

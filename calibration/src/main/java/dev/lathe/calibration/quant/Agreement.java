package dev.lathe.calibration.quant;

import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.graph.ir.Model;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * How often a quantized model's top-1 class equals the FP32 model's on the same images, and, when the data has
 * labels, both models' accuracy. The first output of each model is read as [N, classes] scores.
 */
public record Agreement(long samples, long agreeing, long labelled, long correctReference, long correctQuantized) {

    /** Top-1 agreement in percent. */
    public double percent() {
        return samples == 0 ? Double.NaN : 100.0 * agreeing / samples;
    }

    public double referenceAccuracy() {
        return labelled == 0 ? Double.NaN : 100.0 * correctReference / labelled;
    }

    public double quantizedAccuracy() {
        return labelled == 0 ? Double.NaN : 100.0 * correctQuantized / labelled;
    }

    /** The reference model's top-1 class and the label (-1: none) of every image, in the data's order. */
    public record Reference(int[] predictions, long[] labels) {}

    /** Runs the reference model once over {@code data}; agreements of many candidates are then measured against it. */
    public static Reference reference(InferenceRuntime runtime, SessionConfig config, Model reference,
            CalibrationData data) throws IOException {
        List<int[]> preds = new ArrayList<>();
        List<long[]> labels = new ArrayList<>();
        forEachPrediction(runtime, config, reference, data, (p, l) -> {
            preds.add(p);
            labels.add(l == null ? filled(p.length) : l);
        });
        return new Reference(preds.stream().flatMapToInt(Arrays::stream).toArray(),
                labels.stream().flatMapToLong(Arrays::stream).toArray());
    }

    /** Agreement of {@code quantized} with a reference measured on the same data, in the same order. */
    public static Agreement measure(InferenceRuntime runtime, SessionConfig config, Reference reference,
            Model quantized, CalibrationData data) throws IOException {
        long[] c = new long[5];
        int[] next = {0};
        forEachPrediction(runtime, config, quantized, data, (b, l) -> {
            for (int k : b) {
                int i = next[0]++;
                if (i >= reference.predictions().length) {
                    throw new IllegalStateException("the data gave more images than the reference saw");
                }
                int a = reference.predictions()[i];
                long label = reference.labels()[i];
                c[0]++;
                c[1] += a == k ? 1 : 0;
                if (label >= 0) {
                    c[2]++;
                    c[3] += a == label ? 1 : 0;
                    c[4] += k == label ? 1 : 0;
                }
            }
        });
        return new Agreement(c[0], c[1], c[2], c[3], c[4]);
    }

    /** Agreement of two models on {@code data} (the reference run once, then the candidate). */
    public static Agreement measure(InferenceRuntime runtime, SessionConfig config, Model reference, Model quantized,
            CalibrationData data) throws IOException {
        return measure(runtime, config, reference(runtime, config, reference, data), quantized, data);
    }

    private static void forEachPrediction(InferenceRuntime runtime, SessionConfig config, Model model,
            CalibrationData data, BiConsumer<int[], long[]> sink) throws IOException {
        try (Session s = runtime.open(ModelSource.of(model), config)) {
            String input = s.inputs().get(0).name();
            String output = s.outputs().get(0).name();
            data.forEachLabelled((batch, labels) -> {
                try (Outputs o = s.run(Map.of(input, batch), List.of(output))) {
                    sink.accept(argmax(o.get(output).toFloats(), (int) batch.shape()[0]), labels);
                }
            });
        }
    }

    private static long[] filled(int n) {
        long[] l = new long[n];
        Arrays.fill(l, -1);
        return l;
    }

    private static int[] argmax(float[] scores, int rows) {
        int classes = scores.length / rows;
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (scores[r * classes + k] > scores[r * classes + best]) {
                    best = k;
                }
            }
            out[r] = best;
        }
        return out;
    }
}

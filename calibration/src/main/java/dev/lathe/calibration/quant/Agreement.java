package dev.lathe.calibration.quant;

import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.graph.ir.Model;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;

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

    public static Agreement measure(InferenceRuntime runtime, SessionConfig config, Model reference, Model quantized,
            CalibrationData data) throws IOException {
        long[] c = new long[5];
        try (Session ref = runtime.open(ModelSource.of(reference), config);
                Session q = runtime.open(ModelSource.of(quantized), config)) {
            String input = ref.inputs().get(0).name();
            String refOut = ref.outputs().get(0).name();
            String qOut = q.outputs().get(0).name();
            data.forEachLabelled((batch, labels) -> {
                int[] a;
                int[] b;
                try (Outputs o = ref.run(Map.of(input, batch), List.of(refOut))) {
                    a = argmax(o.get(refOut).toFloats(), (int) batch.shape()[0]);
                }
                try (Outputs o = q.run(Map.of(input, batch), List.of(qOut))) {
                    b = argmax(o.get(qOut).toFloats(), (int) batch.shape()[0]);
                }
                for (int i = 0; i < a.length; i++) {
                    c[0]++;
                    c[1] += a[i] == b[i] ? 1 : 0;
                    if (labels != null) {
                        c[2]++;
                        c[3] += a[i] == labels[i] ? 1 : 0;
                        c[4] += b[i] == labels[i] ? 1 : 0;
                    }
                }
            });
        }
        return new Agreement(c[0], c[1], c[2], c[3], c[4]);
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

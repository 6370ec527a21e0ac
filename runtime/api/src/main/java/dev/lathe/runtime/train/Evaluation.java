package dev.lathe.runtime.train;

import dev.lathe.graph.ir.DataType;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.runtime.data.Dataset;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/** Top-1/top-5 accuracy of an inference model (one image input, logits first output) over a dataset. */
public final class Evaluation {
    private Evaluation() {}

    /** Runs {@code session} over {@code data} in batches of {@code batch} (the last may be shorter). */
    public static Accuracy run(Session session, Dataset data, int batch) {
        if (session.inputs().size() != 1) {
            throw new IllegalArgumentException("evaluation needs a model with one image input, this one takes "
                    + session.inputs().stream().map(TensorSpec::name).toList());
        }
        String input = session.inputs().get(0).name();
        List<String> logitsOnly = List.of(session.outputs().get(0).name());
        long[] image = data.imageShape();
        int classes = data.numClasses();
        Accuracy.Tally tally = new Accuracy.Tally(classes);
        HostTensor x = null;
        for (int from = 0; from < data.size(); from += batch) {
            int n = Math.min(batch, data.size() - from);
            if (x == null || x.shape()[0] != n) { // one tensor for every full batch, refilled in place
                x = HostTensor.allocate(DataType.FLOAT, n, image[0], image[1], image[2]);
            }
            FloatBuffer fb = x.data().asFloatBuffer();
            for (int i = 0; i < n; i++) {
                data.fill(from + i, fb);
            }
            try (Outputs out = session.run(Map.of(input, x), logitsOnly)) {
                FloatBuffer logits = out.get(logitsOnly.get(0)).data().asFloatBuffer();
                if (logits.remaining() != (long) n * classes) {
                    throw new IllegalArgumentException(session.runtimeName() + ": first output has "
                            + logits.remaining() / n + " values per image, the data has " + classes + " classes");
                }
                for (int i = 0; i < n; i++) {
                    tally.add(logits, i, data.label(from + i));
                }
            }
        }
        return tally.result();
    }
}

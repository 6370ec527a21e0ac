package dev.lathe.runtime.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.runtime.data.Dataset;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Top-1/top-5 accuracy of an inference ONNX model (one image input, logits first output) over a dataset. */
public final class Evaluation {
    private Evaluation() {}

    /** Returns {top1, top5}. */
    public static double[] run(Path model, Dataset data, int batch, int threads) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(threads);
        long[] image = data.imageShape();
        int per = (int) (image[0] * image[1] * image[2]);
        int classes = data.numClasses();
        long top1 = 0;
        long top5 = 0;
        try (OrtSession s = env.createSession(model.toString(), so)) {
            String input = s.getInputNames().iterator().next();
            for (int from = 0; from < data.size(); from += batch) {
                int n = Math.min(batch, data.size() - from);
                FloatBuffer x = ByteBuffer.allocateDirect(4 * n * per).order(ByteOrder.nativeOrder()).asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    data.fill(from + i, x);
                }
                x.rewind();
                try (OnnxTensor t = OnnxTensor.createTensor(env, x, new long[] {n, image[0], image[1], image[2]});
                     OrtSession.Result r = s.run(Map.of(input, t))) {
                    FloatBuffer logits = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    if (logits.remaining() != (long) n * classes) {
                        throw new IllegalArgumentException(model + ": first output has " + logits.remaining() / n
                                + " values per image, the data has " + classes + " classes");
                    }
                    for (int i = 0; i < n; i++) {
                        int rank = Trainer.rankOfLabel(logits, i, classes, data.label(from + i));
                        top1 += rank == 0 ? 1 : 0;
                        top5 += rank < 5 ? 1 : 0;
                    }
                }
            }
        }
        return new double[] {top1 / (double) data.size(), top5 / (double) data.size()};
    }
}

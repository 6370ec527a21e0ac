package dev.lathe.pruning;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Runs models in ONNX Runtime (CPU) for the exactness checks. */
public final class OrtCheck {
    private OrtCheck() {}

    /** Every float output of the model for one input tensor. */
    public static List<float[]> run(Model m, String input, long[] shape, float[] data) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession s = env.createSession(Onnx.toBytes(m), o);
                    OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                    OrtSession.Result r = s.run(Map.of(input, x))) {
                List<float[]> out = new ArrayList<>();
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                    FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                    float[] f = new float[b.remaining()];
                    b.get(f);
                    out.add(f);
                }
                return out;
            }
        }
    }

    public static float[] randomInput(long[] shape, long seed) {
        Random r = new Random(seed);
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** max|a−b| / max|a|: the relative error the exactness tests bound. */
    public static double relError(float[] ref, float[] got) {
        if (ref.length != got.length) {
            throw new AssertionError("output sizes differ: " + ref.length + " vs " + got.length);
        }
        double scale = 1e-30;
        double diff = 0;
        for (int i = 0; i < ref.length; i++) {
            scale = Math.max(scale, Math.abs(ref[i]));
            diff = Math.max(diff, Math.abs(ref[i] - got[i]));
        }
        return diff / scale;
    }

    /** An independent copy of a model, through its serialized form. */
    public static Model copy(Model m) throws IOException {
        Path tmp = Files.createTempFile("lathe-prune", ".onnx");
        try {
            Files.write(tmp, Onnx.toBytes(m));
            Model c = Onnx.load(tmp);
            // Loaded tensors may map the file; detach them before it goes away.
            for (var v : c.graph().initializers().values()) {
                var t = v.constValue();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) t.byteSize());
                b.put(t.data()).flip();
                v.setConstValue(dev.lathe.graph.ir.Tensor.of(t.dtype(), t.dims(), b));
            }
            return c;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

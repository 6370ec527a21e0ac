package dev.lathe.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import java.nio.FloatBuffer;
import java.util.Map;

/** Runs a model's logits in ONNX Runtime (CPU) with full graph optimisation, as the deployments will. */
final class OrtRunner {
    private OrtRunner() {}

    static OrtSession session(Model model) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setIntraOpNumThreads(2);
            return env.createSession(Onnx.toBytes(model), o);
        }
    }

    /** The output named {@link ModelInputs#OUTPUT} for one float input, flattened. */
    static float[] run(Model model, String input, long[] shape, float[] data) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = session(model);
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
             OrtSession.Result r = s.run(Map.of(input, x))) {
            FloatBuffer fb = ((OnnxTensor) r.get(ModelInputs.OUTPUT).orElseThrow()).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }
}

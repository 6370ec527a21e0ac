package dev.lathe.graph.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.serde.Onnx;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a Model in ONNX Runtime (2 intra-op threads) on IR tensors and returns every float output by name (tests only;
 * shared with the models module's tests through the graph-ops test-jar).
 */
public final class OrtRun {
    private OrtRun() {}

    public static Map<String, float[]> run(Model m, Map<String, Tensor> inputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            try (OrtSession s = env.createSession(Onnx.toBytes(m), o)) {
                for (String name : s.getInputNames()) {
                    Tensor t = inputs.get(name);
                    if (t == null) {
                        throw new IllegalArgumentException("no value for graph input " + name);
                    }
                    feeds.put(name, t.dtype() == DataType.INT64
                            ? OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongs()), t.dims())
                            : OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloats()), t.dims()));
                }
                Map<String, float[]> out = new LinkedHashMap<>();
                try (OrtSession.Result r = s.run(feeds)) {
                    for (Map.Entry<String, OnnxValue> e : r) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
                            FloatBuffer b = t.getFloatBuffer();
                            float[] f = new float[b.remaining()];
                            b.get(f);
                            out.put(e.getKey(), f);
                        }
                    }
                }
                return out;
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }
}

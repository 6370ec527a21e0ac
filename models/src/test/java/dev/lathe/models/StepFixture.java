package dev.lathe.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.serde.Onnx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A train-step reference written by {@code src/test/resources/autodiff/generate.py}: fixture.txt (name dtype dims
 * offset) over fixture.bin, plus running a step graph in ONNX Runtime on IR tensors (tests only).
 */
final class StepFixture {
    final Map<String, Tensor> tensors = new LinkedHashMap<>();

    StepFixture(String resourceDir) throws IOException {
        byte[] bin;
        List<String> index;
        try (InputStream b = StepFixture.class.getResourceAsStream(resourceDir + "/fixture.bin");
             InputStream t = StepFixture.class.getResourceAsStream(resourceDir + "/fixture.txt")) {
            if (b == null || t == null) {
                throw new IOException("no fixture.bin/fixture.txt under test resource " + resourceDir);
            }
            bin = b.readAllBytes();
            index = new String(t.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        for (String line : index) {
            String[] f = line.split(" ", -1);
            long[] dims = f[2].isEmpty() ? new long[0] : Arrays.stream(f[2].split(",")).mapToLong(Long::parseLong).toArray();
            int offset = Integer.parseInt(f[3]);
            boolean isLong = f[1].equals("i64");
            int bytes = (int) (Tensor.numel(dims) * (isLong ? 8 : 4));
            ByteBuffer data = ByteBuffer.wrap(bin, offset, bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
            tensors.put(f[0], Tensor.of(isLong ? DataType.INT64 : DataType.FLOAT, dims, data));
        }
    }

    Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("fixture has no tensor " + name);
        }
        return t;
    }

    /** The names after {@code prefix} of the fixture entries starting with it (e.g. "grad:" gives parameter keys). */
    List<String> keys(String prefix) {
        return tensors.keySet().stream().filter(k -> k.startsWith(prefix)).map(k -> k.substring(prefix.length())).toList();
    }

    /** Runs {@code m} in ONNX Runtime (basic optimisation) and returns its float outputs by name. */
    static Map<String, float[]> run(Model m, Map<String, Tensor> inputs) throws Exception {
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
                            FloatBuffer fb = t.getFloatBuffer();
                            float[] f = new float[fb.remaining()];
                            fb.get(f);
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

package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.pass.NchwcConvRewrite;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OrtNchwcTest {

    /** Convs of every kind the rewrite takes: 3x3 stride 1 and 2, dilated with bias, 1x1 strided, and the stem. */
    static Model net() {
        GraphBuilder b = new GraphBuilder("nchwc_net", 17);
        Nn nn = new Nn(b, 5);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 32, 32);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 16, ConvAttrs.same(3), false)));
        Value y = b.ops().relu(nn.batchNorm2d("bn2", nn.conv2d("conv2", x, 16, ConvAttrs.same(3), false)));
        y = nn.conv2d("dilated", y, 16, ConvAttrs.of(3, 1, 2).withDilation(2), true);
        x = b.ops().relu(b.ops().add(y, x));
        Value down = nn.conv2d("down", x, 32, ConvAttrs.of(3, 2, 1), false);
        Value shortcut = nn.conv2d("ds", x, 32, ConvAttrs.of(1, 2, 0), false);
        x = b.ops().relu(nn.batchNorm2d("bn3", b.ops().add(down, shortcut)));
        x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        b.output(nn.linear("fc", x, 5, true), "logits");
        return b.build();
    }

    @Test
    void blockedTrainStepMatchesThePlainOne() throws Exception {
        long block = OrtNchwc.blockSize();
        assumeTrue(block > 0, "this CPU has no NCHWc kernels in ORT");
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0.1), new Optimizer.Sgd(0.9, true, 1e-4), 8)
                .withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(OrtNchwcTest::net, cfg);
        Model blocked = OrtNchwc.forCpu(step.train(), "nchwc test step"); // batch 8 at 32x32: 8192 pixels
        assertNotSame(step.train(), blocked);
        java.util.Set<String> blockedConvs = new java.util.TreeSet<>();
        for (Node n : blocked.graph().nodes()) {
            if (n.domain().equals(NchwcConvRewrite.DOMAIN) && n.opType().equals("Conv")) {
                blockedConvs.add(n.name());
            }
        }
        // not the 3-channel stem, not the 1x1 shortcut (ORT runs 1x1 Convs as a GEMM), and the strided Conv's input
        // gradient is a ConvTranspose
        assertEquals(java.util.Set.of("conv2/Conv/nchwc", "dilated/Conv/nchwc", "down/Conv/nchwc",
                "grad/conv2/Conv/Conv/nchwc", "grad/dilated/Conv/Conv/nchwc"), blockedConvs);
        assertTrue(step.train().graph().nodes().stream().noneMatch(n -> n.domain().equals(NchwcConvRewrite.DOMAIN)),
                "the step itself stays portable");

        Map<String, float[]> expected = run(step.train(), step);
        Map<String, float[]> actual = run(blocked, step);
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            float[] e = expected.get(name);
            float[] a = actual.get(name);
            double scale = 0;
            for (float v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < e.length; i++) {
                // tolerance: float32 sums in a different order (blocked vs im2col), relative to the output's range
                assertEquals(e[i], a[i], 1e-4 * (scale + 1e-3), name + "[" + i + "]");
            }
        }
    }

    @Test
    void leavesConstantWeightsGroupedAndOddChannelCountsAlone() {
        Model m = net(); // inference graph: all weights are initializers, which ORT's own transformer handles
        assertTrue(!new NchwcConvRewrite(16, 0).apply(m).modified());
    }

    private static Map<String, float[]> run(Model m, TrainStep step) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, Tensor> values = new HashMap<>(step.params());
        values.putAll(step.buffers());
        values.putAll(step.state());
        Map<String, float[]> out = new LinkedHashMap<>();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(Onnx.toBytes(m), so)) {
                Map<String, OnnxTensor> feeds = new HashMap<>();
                Random r = new Random(3);
                for (NodeInfo in : s.getInputInfo().values()) {
                    long[] shape = ((TensorInfo) in.getInfo()).getShape();
                    int n = (int) Tensor.numel(shape);
                    String name = in.getName();
                    if (name.equals(TrainStep.LABELS)) {
                        long[] labels = new long[n];
                        for (int i = 0; i < n; i++) {
                            labels[i] = i % 5;
                        }
                        feeds.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(labels), shape));
                        continue;
                    }
                    float[] v;
                    if (values.containsKey(name)) {
                        v = values.get(name).toFloats();
                    } else if (name.equals(TrainStep.LR)) {
                        v = new float[] {0.1f};
                    } else {
                        v = new float[n];
                        for (int i = 0; i < n; i++) {
                            v[i] = (float) r.nextGaussian();
                        }
                    }
                    feeds.put(name, OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape));
                }
                try (OrtSession.Result res = s.run(feeds)) {
                    for (Map.Entry<String, OnnxValue> e : res) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
                            FloatBuffer fb = t.getFloatBuffer();
                            float[] a = new float[fb.remaining()];
                            fb.get(a);
                            out.put(e.getKey(), a);
                        }
                    }
                }
                feeds.values().forEach(OnnxTensor::close);
            }
        }
        return out;
    }
}

package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OrtNchwcTest {

    /** Convs of every kind: 3x3 stride 1 and 2, dilated with bias, depthwise, a strided 1x1 and the 3-channel stem. */
    static Model net() {
        GraphBuilder b = new GraphBuilder("nchwc_net", 17);
        Nn nn = new Nn(b, 5);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 32, 32);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 16, ConvAttrs.same(3), false)));
        Value y = b.ops().relu(nn.batchNorm2d("bn2", nn.conv2d("conv2", x, 16, ConvAttrs.same(3), false)));
        y = nn.conv2d("dilated", y, 16, ConvAttrs.of(3, 1, 2).withDilation(2), true);
        y = b.ops().relu(nn.conv2d("dw", y, 16, ConvAttrs.same(3).withGroups(16), false));
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
        TrainStep step = TrainStepBuilder.build(OrtNchwcTest.net(), cfg);
        // batch 8 at 32x32: 8192 pixels
        Model blocked = Onnx.fromBytes(OrtNchwc.cpuSessionBytes(step.train(), "nchwc test step"), "blocked step");
        java.util.Set<String> blockedConvs = new java.util.TreeSet<>();
        for (Node n : blocked.graph().nodes()) {
            if (n.domain().equals(NchwcConvRewrite.DOMAIN) && n.opType().equals("Conv")) {
                blockedConvs.add(n.name());
            }
        }
        // not the 3-channel stem, not the 1x1 shortcut (ORT runs 1x1 Convs as a GEMM), and the strided Conv's input
        // gradient is a ConvTranspose
        assertEquals(java.util.Set.of("conv2/Conv/nchwc", "dilated/Conv/nchwc", "dw/Conv/nchwc", "down/Conv/nchwc",
                "grad/conv2/Conv/Conv/nchwc", "grad/dilated/Conv/Conv/nchwc", "grad/dw/Conv/Conv/nchwc"), blockedConvs);
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

    /** One run of a train step on its initial state, Gaussian images, labels i % 5 and learning rate 0.1. */
    private static Map<String, float[]> run(Model m, TrainStep step) throws Exception {
        Map<String, Tensor> in = new HashMap<>(step.params());
        in.putAll(step.buffers());
        in.putAll(step.state());
        in.put(TrainStep.LR, Tensor.scalar(0.1f));
        long[] labels = new long[step.batch()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 5;
        }
        in.put(TrainStep.LABELS, Tensor.ofLongs(new long[] {labels.length}, labels));
        long[] shape = m.graph().inputs().get(0).shape().toArray();
        float[] images = new float[(int) Tensor.numel(shape)];
        Random r = new Random(3);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) r.nextGaussian();
        }
        in.put(step.input(), Tensor.ofFloats(shape, images));
        return OrtParity.runFloats(m, in, OrtParity.Settings.DEPLOYED);
    }
}

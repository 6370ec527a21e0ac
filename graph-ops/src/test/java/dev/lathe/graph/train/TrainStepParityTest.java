package dev.lathe.graph.train;

import static dev.lathe.graph.train.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole-model gradients, one SGD step and one AdamW step of a small CIFAR ResNet with a MobileNetV2 inverted-residual
 * block, against PyTorch autograd and torch.optim (fixture from src/test/resources/autodiff/small_resnet/generate.py).
 */
class TrainStepParityTest {
    private static Fixture fx;

    @BeforeAll
    static void load() throws Exception {
        fx = new Fixture("/autodiff/small_resnet");
    }

    private static Value basic(Nn nn, String name, Value x, long out, int stride) {
        GraphBuilder b = nn.builder();
        try (var s = b.scope(name)) {
            long in = x.shape().get(1).size();
            Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, out, ConvAttrs.of(3, stride, 1), false)));
            y = nn.batchNorm2d("bn2", nn.conv2d("conv2", y, out, ConvAttrs.same(3), false));
            Value shortcut = x;
            if (stride != 1 || in != out) {
                try (var d = b.scope("downsample")) {
                    shortcut = nn.batchNorm2d("1", nn.conv2d("0", x, out, ConvAttrs.of(1, stride, 0), false));
                }
            }
            return b.ops().relu(b.ops().add(y, shortcut));
        }
    }

    private static Value inverted(Nn nn, String name, Value x, long expand) {
        GraphBuilder b = nn.builder();
        try (var s = b.scope(name)) {
            long c = x.shape().get(1).size();
            long h = c * expand;
            Value y = b.ops().clip(nn.batchNorm2d("bn1", nn.conv2d("expand", x, h, ConvAttrs.of(1, 1, 0), false)), 0, 6);
            y = b.ops().clip(nn.batchNorm2d("bn2", nn.conv2d("dw", y, h, ConvAttrs.same(3).withGroups(h), false)), 0, 6);
            return b.ops().add(x, nn.batchNorm2d("bn3", nn.conv2d("project", y, c, ConvAttrs.of(1, 1, 0), false)));
        }
    }

    /** The generator's Net with the fixture's initial state. */
    static Model net() {
        return net(fx);
    }

    /** The Net of small_resnet/net.py with the initial state of fixture {@code f}. */
    static Model net(Fixture f) {
        GraphBuilder b = new GraphBuilder("small_resnet", 17);
        Nn nn = new Nn(b, 0);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 8, ConvAttrs.same(3), false)));
        try (var s = b.scope("layer1")) {
            x = basic(nn, "0", x, 8, 1);
        }
        try (var s = b.scope("layer2")) {
            x = basic(nn, "0", x, 16, 2);
        }
        try (var s = b.scope("layer3")) {
            x = inverted(nn, "0", x, 2);
        }
        x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        b.output(nn.linear("fc", x, 10, true), "logits");
        Model m = b.build();
        for (Value init : m.graph().initializers().values()) {
            Tensor t = f.tensors.get("param:" + init.name());
            if (t != null) {
                init.setConstValue(t);
            }
        }
        return m;
    }

    private static Map<String, Tensor> feeds(TrainStep step, float lr) {
        return feeds(fx, step, lr);
    }

    /** The step's state, the fixture's batch x and labels y, and the learning rate. */
    static Map<String, Tensor> feeds(Fixture fx, TrainStep step, float lr) {
        Map<String, Tensor> in = new HashMap<>();
        in.putAll(step.carried());
        in.put(step.input(), fx.get("x"));
        in.put(TrainStep.LABELS, fx.get("y"));
        in.put(TrainStep.LR, Tensor.scalar(lr));
        return in;
    }


    @Test
    void gradientsSgdStepAndRunningStatsMatchPyTorch() throws Exception {
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0.1), new Optimizer.Sgd(0.9, true, 5e-4), 8)
                .withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(TrainStepParityTest.net(), cfg);
        assertEquals(29, step.params().size()); // every nn.Parameter of the PyTorch model
        Map<String, float[]> out = OrtParity.runFloats(step.train(), feeds(step, 0.1f), OrtParity.Settings.DEPLOYED);
        assertClose("loss", fx.get("sgd.loss"), out.get(TrainStep.LOSS));
        assertEquals(fx.get("sgd.correct").toFloats()[0], out.get(TrainStep.CORRECT)[0]);
        for (String p : step.params().keySet()) {
            assertClose("grad " + p, fx.get("grad:" + p), out.get(p + ".grad"));
            assertClose("SGD step " + p, fx.get("sgd.next:" + p), out.get(TrainStep.next(p)));
            assertClose("momentum " + p, fx.get("sgd.momentum:" + p), out.get(TrainStep.next(p + ".momentum_buffer")));
        }
        for (String bstat : step.buffers().keySet()) {
            assertClose("running stat " + bstat, fx.get("bn.next:" + bstat), out.get(TrainStep.next(bstat)));
        }
    }

    @Test
    void adamWStepWithGradClippingMatchesPyTorch() throws Exception {
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0), new Optimizer.AdamW(0.9, 0.999, 1e-8, 0.05), 8)
                .withClipNorm(1.0);
        TrainStep step = TrainStepBuilder.build(TrainStepParityTest.net(), cfg);
        Map<String, float[]> out = OrtParity.runFloats(step.train(), feeds(step, 1e-2f), OrtParity.Settings.DEPLOYED);
        assertClose("loss", fx.get("adamw.loss"), out.get(TrainStep.LOSS));
        for (String p : step.params().keySet()) {
            assertClose("AdamW step " + p, fx.get("adamw.next:" + p), out.get(TrainStep.next(p)));
        }
        assertEquals(1f, out.get(TrainStep.next(TrainStep.STEP))[0]);
    }
}

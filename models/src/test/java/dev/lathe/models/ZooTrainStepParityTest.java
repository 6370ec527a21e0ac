package dev.lathe.models;

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
import dev.lathe.graph.train.Fixture;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.models.efficientmod.EfficientMod;
import dev.lathe.models.iieu.Iieu;
import dev.lathe.models.iieu.IieuResNet;
import dev.lathe.models.torchvision.MobileNetV2;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole-model gradients, BatchNorm running statistics, one SGD step (momentum, Nesterov, weight decay, label
 * smoothing) and one AdamW step with gradient clipping of small networks built by the zoo's own block builders
 * (MobileNetV2 inverted residuals, EfficientMod modulation and attention blocks, IIEU-B bottlenecks), against PyTorch
 * autograd and torch.optim (fixtures from src/test/resources/autodiff/generate.py), to relative error 1e-4.
 */
class ZooTrainStepParityTest {

    /** The generator's network {@code name}, its state_dict entries set to ReferenceWeights values. */
    private static Model build(String name, Fixture fx) {
        Model m;
        if (name.equals("efficientmod_tiny")) {
            EfficientMod.Spec spec = new EfficientMod.Spec(new long[] {8, 16, 16, 16}, new int[] {2, 0, 0, 0},
                    new int[] {0, 1, 0, 0}, 2, new int[] {0, 2, 0, 0});
            m = EfficientMod.build(name, spec, new ZooConfig(10, 32, 0));
        } else {
            GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
            Nn nn = new Nn(b, 0);
            Value x = b.input(ModelInputs.INPUT, DataType.FLOAT, ModelInputs.BATCH, 3L, 16L, 16L);
            String head;
            if (name.equals("mobilenet_v2_blocks")) {
                x = mobileNetV2Blocks(nn, x);
                head = "classifier.1";
            } else {
                x = iieuBottlenecks(nn, x);
                head = "fc";
            }
            x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
            b.output(nn.linear(head, x, 10, true), ModelInputs.OUTPUT);
            m = b.build();
        }
        for (Value init : m.graph().initializers().values()) {
            if (fx.tensors.containsKey("grad:" + init.name()) || fx.tensors.containsKey("bn.next:" + init.name())) {
                init.setConstValue(ReferenceWeights.value(init.name(), init.constValue().dims()));
            }
        }
        return m;
    }

    private static Value mobileNetV2Blocks(Nn nn, Value x) {
        GraphBuilder b = nn.builder();
        try (var f = b.scope("features")) {
            try (var s = b.scope("0")) {
                x = MobileNetV2.convBnRelu6(nn, x, 8, ConvAttrs.of(3, 1, 1));
            }
            try (var s = b.scope("1")) {
                x = MobileNetV2.invertedResidual(nn, x, 16, 2, 6);
            }
            try (var s = b.scope("2")) {
                x = MobileNetV2.invertedResidual(nn, x, 16, 1, 6);
            }
            try (var s = b.scope("3")) {
                x = MobileNetV2.invertedResidual(nn, x, 16, 1, 1);
            }
        }
        return x;
    }

    private static Value iieuBottlenecks(Nn nn, Value x) {
        GraphBuilder b = nn.builder();
        ConvAttrs stem = ConvAttrs.of(3, 1, 1);
        Value y = nn.conv2d("conv1", x, 8, stem, false);
        y = Iieu.apply(nn, "act1", nn.batchNorm2d("bn1", y), x, y.producer().input(1), stem);
        try (var l = b.scope("layer1")) {
            try (var s = b.scope("0")) {
                y = IieuResNet.bottleneck(nn, y, 4, 2, false);
            }
            try (var s = b.scope("1")) {
                y = IieuResNet.bottleneck(nn, y, 4, 1, false);
            }
        }
        return y;
    }

    private static Map<String, Tensor> feeds(TrainStep step, Fixture fx, float lr) {
        Map<String, Tensor> in = new HashMap<>();
        in.putAll(step.carried());
        in.put(step.input(), fx.get("x"));
        in.put(TrainStep.LABELS, fx.get("y"));
        in.put(TrainStep.LR, Tensor.scalar(lr));
        return in;
    }


    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v2_blocks", "efficientmod_tiny", "iieu_bottleneck"})
    void gradientsSgdStepAndRunningStatsMatchPyTorch(String name) throws Exception {
        Fixture fx = new Fixture("/autodiff/" + name);
        int batch = (int) fx.get("y").dims()[0];
        Model net = build(name, fx);
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0.1), new Optimizer.Sgd(0.9, true, 5e-4), batch)
                .withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(net, cfg);
        assertEquals(new TreeSet<>(fx.keys("grad:")), new TreeSet<>(step.params().keySet()),
                name + ": trainable parameters vs PyTorch's named_parameters");
        assertEquals(new TreeSet<>(fx.keys("bn.next:")), new TreeSet<>(step.buffers().keySet()),
                name + ": BN running statistics vs PyTorch's buffers");
        Map<String, float[]> out = OrtParity.runFloats(step.train(), feeds(step, fx, 0.1f),
                OrtParity.Settings.DEPLOYED);
        assertClose(name + " loss", fx.get("sgd.loss"), out.get(TrainStep.LOSS));
        for (String p : step.params().keySet()) {
            assertClose(name + " grad " + p, fx.get("grad:" + p), out.get(p + ".grad"));
            assertClose(name + " SGD step " + p, fx.get("sgd.next:" + p), out.get(TrainStep.next(p)));
        }
        for (String s : step.buffers().keySet()) {
            assertClose(name + " running stat " + s, fx.get("bn.next:" + s), out.get(TrainStep.next(s)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_v2_blocks", "efficientmod_tiny", "iieu_bottleneck"})
    void adamWStepWithGradClippingMatchesPyTorch(String name) throws Exception {
        Fixture fx = new Fixture("/autodiff/" + name);
        int batch = (int) fx.get("y").dims()[0];
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0), new Optimizer.AdamW(0.9, 0.999, 1e-8, 0.05), batch)
                .withClipNorm(1.0);
        TrainStep step = TrainStepBuilder.build(build(name, fx), cfg);
        Map<String, float[]> out = OrtParity.runFloats(step.train(), feeds(step, fx, 1e-2f),
                OrtParity.Settings.DEPLOYED);
        assertClose(name + " loss", fx.get("adamw.loss"), out.get(TrainStep.LOSS));
        for (String p : step.params().keySet()) {
            assertClose(name + " AdamW step " + p, fx.get("adamw.next:" + p), out.get(TrainStep.next(p)));
        }
    }
}

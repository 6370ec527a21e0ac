package dev.lathe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every trainable zoo family gets a train step: every op between its parameters and the loss has a backward rule
 * (a missing one is a MissingBackwardRuleException naming the op). One small instance per family (32x32; AnchorNet,
 * whose unpadded convs need more, at 128x128); the grouped-conv ResNeXts share ResNet's ops (grouped Conv backward is
 * checked in graph-ops' BackwardRulesTest) and the larger variants of a family its ops. The families whose ops
 * are not exercised end to end elsewhere (single-op Elu and PRelu activations, AnchorNet's blocks) also run one SGD
 * step in ONNX Runtime.
 */
class ZooTrainStepBuildTest {
    private static final int BATCH = 2;

    private static int resolution(String name) {
        return name.equals("anchornet") ? 128 : 32;
    }

    private static TrainStep build(String name) {
        ZooEntry entry = ModelZoo.get(name);
        ZooConfig cfg = new ZooConfig(10, resolution(name), 0);
        TrainStep step = TrainStepBuilder.build(entry.build(cfg),
                TrainConfig.of(new Loss.CrossEntropy(0.1), new Optimizer.Sgd(0.9, true, 5e-4), BATCH));
        assertFalse(step.params().isEmpty(), name + ": no trainable parameters");
        return step;
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "mobilenet_v2", "densenet121", "cic_resnet32", "cifar_resnet56",
        "cifar_mobilenet_v2", "efficientmod_xxs", "iieub_resnet14", "iieub_mobilenetv2_017", "iieudc_resnet14",
        "iieudc_mobilenetv2_017", "raw_resnet14",
        "gelu_resnet14", "mish_resnet14", "swish_resnet14", "silu_resnet14", "elu_resnet14", "softplus_resnet14",
        "leakyrelu_resnet14", "prelu_resnet14", "anchornet"})
    void trainStepBuilds(String name) {
        build(name);
    }

    /** One SGD step on a random batch: a finite positive loss, finite updates, every weight matrix/kernel moved. */
    @ParameterizedTest
    @ValueSource(strings = {"elu_resnet14", "prelu_resnet14", "anchornet"})
    void trainStepRunsOneSgdStep(String name) throws Exception {
        TrainStep step = build(name);
        int res = resolution(name);
        Map<String, Tensor> in = new HashMap<>();
        in.putAll(step.carried());
        Random r = new Random(7);
        float[] x = new float[BATCH * 3 * res * res];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        in.put(step.input(), Tensor.ofFloats(new long[] {BATCH, 3, res, res}, x));
        in.put(TrainStep.LABELS, Tensor.ofLongs(new long[] {BATCH}, new long[] {1, 7}));
        in.put(TrainStep.LR, Tensor.scalar(0.05f));
        Map<String, float[]> out = OrtParity.runFloats(step.train(), in, OrtParity.Settings.DEPLOYED);
        float loss = out.get(TrainStep.LOSS)[0];
        assertTrue(Float.isFinite(loss) && loss > 0, name + ": loss " + loss);
        for (Map.Entry<String, Tensor> p : step.params().entrySet()) {
            float[] before = p.getValue().toFloats();
            float[] after = out.get(TrainStep.next(p.getKey()));
            assertEquals(before.length, after.length, name + ": " + p.getKey());
            boolean moved = false;
            for (int i = 0; i < after.length; i++) {
                assertTrue(Float.isFinite(after[i]), name + ": " + p.getKey() + " updated to " + after[i]);
                moved |= after[i] != before[i];
            }
            assertTrue(moved || p.getValue().rank() < 2, name + ": weight " + p.getKey() + " unchanged by a step");
        }
    }

    /**
     * Drop path: the residual families mark every residual join; the train step masks each one but the first
     * block's (rate 0 under timm's linear rule), one SGD step with a seed runs, and the eval graph has no mask.
     */
    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "iieub_resnet14", "efficientmod_xxs"})
    void dropPathMarksEveryResidualJoin(String name) throws Exception {
        ZooEntry entry = ModelZoo.get(name);
        dev.lathe.graph.ir.Model forward = entry.build(new ZooConfig(10, 32, 0));
        java.util.List<dev.lathe.graph.ir.Node> joins = dev.lathe.graph.train.DropPath.joins(forward.graph());
        double[] rates = dev.lathe.graph.train.DropPath.rates(joins, 0.2);
        int expectedJoins = switch (name) {
            case "resnet18" -> 8;
            case "iieub_resnet14" -> 4;
            default -> joins.size();
        };
        assertEquals(expectedJoins, joins.size(), name + " joins");
        assertEquals(0.0, rates[0], name + ": the first block keeps its branch");
        assertEquals(0.2, rates[rates.length - 1], 1e-12, name + ": the last block drops at the full rate");
        long positive = java.util.Arrays.stream(rates).filter(r -> r > 0).count();
        TrainStep step = TrainStepBuilder.build(forward, TrainConfig.of(new Loss.CrossEntropy(0.1),
                new Optimizer.Sgd(0.9, true, 5e-4), BATCH).withDropPath(0.2));
        assertEquals(positive, step.train().graph().nodes().stream().filter(n -> n.opType().equals("Floor")).count());
        assertTrue(step.eval().graph().nodes().stream().noneMatch(n -> n.opType().equals("Floor")));
        if (name.equals("resnet18")) {
            Map<String, Tensor> in = new HashMap<>();
            in.putAll(step.carried());
            float[] x = new float[BATCH * 3 * 32 * 32];
            Random r = new Random(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            in.put(step.input(), Tensor.ofFloats(new long[] {BATCH, 3, 32, 32}, x));
            in.put(TrainStep.LABELS, Tensor.ofLongs(new long[] {BATCH}, new long[] {1, 7}));
            in.put(TrainStep.LR, Tensor.scalar(0.05f));
            in.put(TrainStep.SEED, Tensor.ofLongs(new long[0], 11));
            float loss = OrtParity.runFloats(step.train(), in, OrtParity.Settings.DEPLOYED).get(TrainStep.LOSS)[0];
            assertTrue(Float.isFinite(loss) && loss > 0, "loss " + loss);
        }
    }
}

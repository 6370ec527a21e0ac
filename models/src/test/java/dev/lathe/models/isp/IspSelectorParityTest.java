package dev.lathe.models.isp;

import static dev.lathe.graph.train.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.train.Fixture;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ISP Stage B on ResNet-8 against PyTorch (src/test/resources/isp/selector/generate.py): the selector's eval forward
 * (raw RBF parameters, map, frozen predictor on the masked input) to 1e-5; one Eq. 9 step (KL to the frozen black box
 * through the frozen predictor, area with power, smoothness) with fed draws: loss terms, every gradient, the Adam step
 * and the decoder's BN statistics to 1e-4; with the straight-through hard mask, loss and gradients to 1e-4. Parameter names are the authors' TrainSelector state_dict keys.
 */
class IspSelectorParityTest {
    private static Fixture fx;

    @BeforeAll
    static void load() throws Exception {
        fx = new Fixture("/isp/selector");
    }

    @Test
    void selectorForwardMatchesPyTorch() throws Exception {
        Model m = IspGraphs.selector(new IspGraphs.Spec(1, 10, 32, 1.0, false), false, 0);
        IspPredictorParityTest.load(m, fx);
        Map<String, Tensor> in = Map.of("input", fx.get("x"), TrainStep.LABELS, fx.get("y"));
        Map<String, float[]> out = OrtParity.runFloats(m, in, OrtParity.Settings.EXACT);
        for (String n : List.of("saliency_params", "map", "logits", "bb_logits")) {
            assertClose(n, fx.get("eval." + n), out.get(n), IspRbfParityTest.FORWARD);
        }
    }

    @Test
    void straightThroughHardMaskStepMatchesPyTorch() throws Exception {
        Model forward = IspGraphs.selector(new IspGraphs.Spec(1, 10, 32, 1.0, true), true, 0);
        IspPredictorParityTest.load(forward, fx);
        TrainConfig cfg = TrainConfig.of(IspGraphs.selectorObjective(0.2, 0.3, 1e-3),
                new Optimizer.Adam(0.9, 0.999, 1e-8, 1e-4), 4).withFrozen(IspGraphs.FROZEN_B)
                .withNoDecay(TrainConfig.NoDecay.NONE).withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(forward, cfg);
        Map<String, float[]> out = OrtParity.runFloats(step.train(), feeds(step), OrtParity.Settings.EXACT);
        assertClose("hard loss", fx.get("hard.loss"), out.get("loss"));
        for (String p : step.params().keySet()) {
            assertClose("hard grad " + p, fx.get("hard.grad:" + p), out.get(p + ".grad"));
        }
    }

    private static Map<String, Tensor> feeds(TrainStep step) {
        Map<String, Tensor> in = new HashMap<>();
        in.putAll(step.carried());
        in.put(step.input(), fx.get("x"));
        in.put(TrainStep.LABELS, fx.get("y"));
        in.put(IspGraphs.U_MASK, fx.get("u_mask"));
        in.put(TrainStep.LR, Tensor.scalar(1e-4f));
        return in;
    }

    @Test
    void eq9StepMatchesPyTorch() throws Exception {
        Model forward = IspGraphs.selector(new IspGraphs.Spec(1, 10, 32, 1.0, false), true, 0);
        IspPredictorParityTest.load(forward, fx);
        TrainConfig cfg = TrainConfig.of(IspGraphs.selectorObjective(0.2, 0.3, 1e-3),
                new Optimizer.Adam(0.9, 0.999, 1e-8, 1e-4), 4).withFrozen(IspGraphs.FROZEN_B)
                .withNoDecay(TrainConfig.NoDecay.NONE).withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(forward, cfg);
        assertTrue(step.params().keySet().stream().allMatch(n -> n.startsWith("selector.")
                && !n.startsWith("selector.resnet.")), "" + step.params().keySet());
        assertEquals(fx.keys("grad:").size(), step.params().size(), "the trained parameters are PyTorch's");

        Map<String, Tensor> in = new HashMap<>();
        in.putAll(step.carried());
        in.put(step.input(), fx.get("x"));
        in.put(TrainStep.LABELS, fx.get("y"));
        in.put(IspGraphs.U_MASK, fx.get("u_mask"));
        in.put(TrainStep.LR, Tensor.scalar(1e-4f));
        Map<String, float[]> out = OrtParity.runFloats(step.train(), in, OrtParity.Settings.EXACT);
        for (String t : List.of("loss", "loss.kl", "loss.area", "loss.smooth")) {
            assertClose(t, fx.get(t), out.get(t));
        }
        for (String p : step.params().keySet()) {
            assertClose("grad " + p, fx.get("grad:" + p), out.get(p + ".grad"));
            assertClose("Adam step " + p, fx.get("next:" + p), out.get(TrainStep.next(p)));
        }
        for (String b : step.buffers().keySet()) {
            assertClose("running stat " + b, fx.get("next:" + b), out.get(TrainStep.next(b)));
        }
    }
}

package dev.lathe.graph.train;

import static dev.lathe.graph.train.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.testkit.OrtParity;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A frozen backbone (no gradient, no optimizer state, BatchNorm in eval mode on its running statistics) under a
 * trainable head with training-mode BatchNorms: one SGD step against PyTorch (fixture from
 * src/test/resources/autodiff/frozen_backbone/generate.py) at the parity tolerance 1e-4.
 */
class FrozenBackboneParityTest {
    private static final Predicate<String> BACKBONE = n -> n.startsWith("conv1.") || n.startsWith("bn1.")
            || n.startsWith("layer1.") || n.startsWith("layer2.");
    private static Fixture fx;

    @BeforeAll
    static void load() throws Exception {
        fx = new Fixture("/autodiff/frozen_backbone");
    }

    @Test
    void frozenBackboneWithEvalModeBatchNormMatchesPyTorch() throws Exception {
        Model forward = TrainStepParityTest.net(fx);
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0.1), new Optimizer.Sgd(0.9, true, 5e-4), 8)
                .withFrozen(BACKBONE).withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(forward, cfg);

        assertTrue(step.params().keySet().stream().noneMatch(BACKBONE), "frozen parameters are not trained");
        assertEquals(List.of(), step.state().keySet().stream().filter(BACKBONE).toList(), "nor have optimizer state");
        assertTrue(step.buffers().keySet().stream().noneMatch(BACKBONE), "frozen BN statistics are not buffers");
        assertTrue(step.buffers().keySet().stream().allMatch(n -> n.startsWith("layer3.")), "" + step.buffers());
        long inference = step.train().graph().nodes().stream().filter(n -> n.opType().equals("BatchNormalization"))
                .filter(n -> n.attrInt("training_mode", 0) == 0).count();
        assertEquals(6, inference, "bn1 and the five backbone block BNs stay in inference form");

        Map<String, Tensor> in = TrainStepParityTest.feeds(fx, step, 0.1f);
        Map<String, float[]> out = OrtParity.runFloats(step.train(), in, OrtParity.Settings.DEPLOYED);

        assertClose("loss", fx.get("loss"), out.get(TrainStep.LOSS));
        for (String p : step.params().keySet()) {
            assertClose("grad " + p, fx.get("grad:" + p), out.get(p + ".grad"));
            assertClose("SGD step " + p, fx.get("next:" + p), out.get(TrainStep.next(p)));
        }
        for (String b : step.buffers().keySet()) {
            assertClose("running stat " + b, fx.get("next:" + b), out.get(TrainStep.next(b)));
        }
        for (String f : step.frozen().keySet()) { // PyTorch left them as they were, and so does the step
            assertArrayEquals(fx.get("param:" + f).toFloats(), fx.get("next:" + f).toFloats(), f);
            assertFalse(out.containsKey(TrainStep.next(f)), f + " has no update output");
        }
        for (Node n : forward.graph().nodes()) {
            assertFalse(n.opType().equals("BatchNormalization") && n.attrInt("training_mode", 0) != 0,
                    "the caller's forward model is left as it was");
        }
    }
}

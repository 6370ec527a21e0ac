package dev.lathe.models.isp;

import static dev.lathe.graph.train.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.train.Fixture;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ISP Stage A in one step graph (frozen black box and predictor together) on ResNet-8 (the ResNet-56 block and
 * keys, one block per stage), against PyTorch with fed draws (src/test/resources/isp/predictor/generate.py): mask
 * 1e-5, loss, every gradient, the Adam step and the BN running statistics 1e-4.
 */
class IspPredictorParityTest {

    /** Sets every initializer that the fixture has a {@code param:} entry for. */
    static void load(Model m, Fixture fx) {
        int n = 0;
        for (Value init : m.graph().initializers().values()) {
            String key = "param:" + init.name();
            if (fx.tensors.containsKey(key)) {
                Tensor t = fx.get(key);
                assertEquals(java.util.Arrays.toString(init.constValue().dims()), java.util.Arrays.toString(t.dims()),
                        init.name());
                init.setConstValue(t);
                n++;
            }
        }
        assertEquals(fx.keys("param:").size(), n, "every fixture parameter has a graph initializer of its name");
    }

    @Test
    void predictorStepMatchesPyTorch() throws Exception {
        Fixture fx = new Fixture("/isp/predictor");
        Model forward = IspGraphs.predictor(new IspGraphs.Spec(1, 10, 32, 0.1, false), 0);
        load(forward, fx);
        TrainConfig cfg = TrainConfig.of(IspGraphs.predictorObjective(), new Optimizer.Adam(0.9, 0.999, 1e-8, 1e-4), 4)
                .withFrozen(IspGraphs.FROZEN_A).withNoDecay(TrainConfig.NoDecay.NONE).withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(forward, cfg);
        assertTrue(step.params().keySet().stream().allMatch(n -> n.startsWith("predictor.model.")), "" + step.params());
        long evalBn = step.train().graph().nodes().stream().filter(n -> n.opType().equals("BatchNormalization"))
                .filter(n -> n.attrInt("training_mode", 0) == 0).count();
        assertEquals(7, evalBn, "the black box's seven BNs run on their running statistics");
        for (Node n : step.train().graph().nodes()) {
            assertTrue(!n.opType().startsWith("Random"), "draws are fed, not drawn: " + n.describe());
        }

        Map<String, Tensor> in = new HashMap<>();
        in.putAll(step.carried());
        in.put(step.input(), fx.get("x"));
        in.put(TrainStep.LABELS, fx.get("y"));
        in.put(IspGraphs.U_CENTRES, fx.get("u_centres"));
        in.put(IspGraphs.U_MASK, fx.get("u_mask"));
        in.put(TrainStep.LR, Tensor.scalar(1e-4f));
        Map<String, float[]> out = OrtParity.runFloats(step.train(), in, OrtParity.Settings.EXACT);

        assertClose("loss", fx.get("loss"), out.get(TrainStep.LOSS));
        for (String p : step.params().keySet()) {
            assertClose("grad " + p, fx.get("grad:" + p), out.get(p + ".grad"));
            assertClose("Adam step " + p, fx.get("next:" + p), out.get(TrainStep.next(p)));
        }
        for (String b : step.buffers().keySet()) {
            assertClose("running stat " + b, fx.get("next:" + b), out.get(TrainStep.next(b)));
        }
        assertEquals(fx.keys("grad:").size(), step.params().size());
    }
}

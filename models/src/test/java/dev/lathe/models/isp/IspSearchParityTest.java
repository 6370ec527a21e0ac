package dev.lathe.models.isp;

import static dev.lathe.graph.train.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.autodiff.Autodiff;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
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
 * ISP Stage C on ResNet-8 against PyTorch (src/test/resources/isp/search/generate.py): the Gumbel-sigmoid gates
 * (T 0.4, offset 3) and their straight-through hard version, the repository's differentiable FLOPs ratio and its
 * gradient to 1e-5 / 1e-4; one search step (gated frozen classifier, frozen selector decoder, 10 MSE + FLOPs term)
 * with its loss terms, the gate logits' gradients and the AdamW step to 1e-4.
 */
class IspSearchParityTest {
    private static Fixture fx;

    @BeforeAll
    static void load() throws Exception {
        fx = new Fixture("/isp/search");
    }

    @Test
    void relaxationHardGatesAndFlopsRatioMatchPyTorch() throws Exception {
        GraphBuilder b = new GraphBuilder("gates", 17);
        Ops o = b.ops();
        Value u = b.input("u_gates", DataType.FLOAT, 112L);
        List<Value> thetas = List.of(b.input("t0", DataType.FLOAT, 16L), b.input("t1", DataType.FLOAT, 32L),
                b.input("t2", DataType.FLOAT, 64L));
        Value theta = o.concat(0, thetas.toArray(new Value[0]));
        Value v = IspSearch.relax(o, theta, u, false);
        Value ratio = IspFlops.authors(1, 32).ratio(o, v);
        b.output(v, "gates");
        b.output(IspSearch.relax(o, theta, u, true), "gates_hard");
        b.output(ratio, "authors_ratio");
        Map<Value, Value> grads = Autodiff.gradients(b.graph(), 17, ratio, thetas);
        for (int i = 0; i < 3; i++) {
            b.output(grads.get(thetas.get(i)), "ratio_grad" + i);
        }
        Map<String, Tensor> in = new HashMap<>();
        in.put("u_gates", fx.get("u_gates"));
        for (int i = 0; i < 3; i++) {
            in.put("t" + i, fx.get("param:hyper_net.p_list." + i + ".weight"));
        }
        Map<String, float[]> out = OrtParity.runFloats(b.build(), in, OrtParity.Settings.EXACT);
        assertClose("gates", fx.get("gates"), out.get("gates"), IspRbfParityTest.FORWARD);
        assertClose("gates_hard", fx.get("gates_hard"), out.get("gates_hard"), 0);
        assertClose("authors_ratio", fx.get("authors_ratio"), out.get("authors_ratio"), IspRbfParityTest.FORWARD);
        for (int i = 0; i < 3; i++) {
            assertClose("ratio grad " + i, fx.get("ratio_grad:hyper_net.p_list." + i + ".weight"),
                    out.get("ratio_grad" + i));
        }
    }

    @Test
    void searchStepMatchesPyTorch() throws Exception {
        Model forward = IspSearch.search(new IspGraphs.Spec(1, 10, 32, 1.0, false), IspSearch.GateMode.RELAXED,
                IspSearch.GateGenerator.SIMPLE, 0);
        IspPredictorParityTest.load(forward, fx);
        TrainConfig cfg = TrainConfig.of(IspSearch.objective(IspFlops.authors(1, 32), 0.3, 10, 1, 0),
                new Optimizer.AdamW(0.9, 0.999, 1e-8, 1e-3), 4).withFrozen(IspSearch.FROZEN_C)
                .withNoDecay(TrainConfig.NoDecay.NONE).withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(forward, cfg);
        assertEquals(List.of("hyper_net.p_list.0.weight", "hyper_net.p_list.1.weight", "hyper_net.p_list.2.weight"),
                List.copyOf(step.params().keySet()));
        Map<String, Tensor> in = new HashMap<>();
        in.putAll(step.carried());
        in.put(step.input(), fx.get("x"));
        in.put(TrainStep.LABELS, fx.get("y"));
        in.put(IspSearch.U_GATES, fx.get("u_gates"));
        in.put(IspSearch.TARGET_PARAMS, fx.get("target_params"));
        in.put(TrainStep.LR, Tensor.scalar(1e-3f));
        Map<String, float[]> out = OrtParity.runFloats(step.train(), in, OrtParity.Settings.EXACT);
        for (String t : List.of("loss", "loss.mse", "loss.flops")) {
            assertClose(t, fx.get(t), out.get(t));
        }
        for (String p : step.params().keySet()) {
            assertClose("grad " + p, fx.get("grad:" + p), out.get(p + ".grad"));
            assertClose("AdamW step " + p, fx.get("next:" + p), out.get(TrainStep.next(p)));
        }

        // the optional class term (the repository's --c_loss): + 1 x CE of the gated classifier
        TrainStep withCe = TrainStepBuilder.build(forward, TrainConfig.of(IspSearch.objective(IspFlops.authors(1, 32),
                0.3, 10, 1, 1), new Optimizer.AdamW(0.9, 0.999, 1e-8, 1e-3), 4).withFrozen(IspSearch.FROZEN_C)
                .withNoDecay(TrainConfig.NoDecay.NONE).withGradientOutputs());
        in.putAll(withCe.state());
        Map<String, float[]> ce = OrtParity.runFloats(withCe.train(), in, OrtParity.Settings.EXACT);
        assertClose("loss with CE", fx.get("ce.loss"), ce.get("loss"));
        assertClose("CE", fx.get("ce.loss.ce"), ce.get("loss.ce"));
        for (String p : withCe.params().keySet()) {
            assertClose("grad with CE " + p, fx.get("ce.grad:" + p), ce.get(p + ".grad"));
        }
    }
}

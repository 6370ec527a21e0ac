package dev.lathe.models.isp;

import static dev.lathe.graph.train.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.train.Fixture;
import dev.lathe.graph.train.LossTerms;
import dev.lathe.graph.train.Objective;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ISP's HyperStructure gate generator (--hs True) on ResNet-8's three gated layers against PyTorch
 * (src/test/resources/isp/hyper/generate.py, torch's nn.GRU, LayerNorm and weight_norm): the parameters bind by the
 * authors' state_dict keys and shapes, the logits theta and the Gumbel-sigmoid gates to 1e-5; one search step (the
 * search graph, MSE of the gates to a target + the FLOPs term) trains exactly the generator's parameters but its fixed
 * inputs, with the loss terms, every gradient and the AdamW step to 1e-4. Java's own fixed inputs are orthonormal.
 */
class IspHyperParityTest {
    private static final IspSearch.Layout LAYOUT = IspSearch.Layout.resNet(1);
    private static Fixture fx;

    @BeforeAll
    static void load() throws Exception {
        fx = new Fixture("/isp/hyper");
    }

    @Test
    void logitsAndGatesMatchPyTorch() throws Exception {
        GraphBuilder b = new GraphBuilder("hyper_gates", 17);
        Value u = b.input(IspSearch.U_GATES, DataType.FLOAT, LAYOUT.total());
        Value theta = IspSearch.theta(b, LAYOUT, IspSearch.GateGenerator.HYPER, 0);
        b.output(theta, IspSearch.THETA);
        b.output(IspSearch.relax(b.ops(), theta, u, false), IspSearch.GATES);
        Model m = b.build();
        Set<String> generator = new TreeSet<>();
        for (String n : m.graph().initializers().keySet()) {
            if (n.startsWith(IspSearch.HYPER_NET + ".")) {
                generator.add(n);
            }
        }
        assertEquals(new TreeSet<>(fx.keys("param:")), generator, "the generator's parameters are the state_dict's");
        IspPredictorParityTest.load(m, fx);
        Map<String, float[]> out = OrtParity.runFloats(m, Map.of(IspSearch.U_GATES, fx.get("u_gates")),
                OrtParity.Settings.EXACT);
        assertClose("theta", fx.get("theta"), out.get(IspSearch.THETA), IspRbfParityTest.FORWARD);
        assertClose("gates", fx.get("gates"), out.get(IspSearch.GATES), IspRbfParityTest.FORWARD);
    }

    @Test
    void searchStepTrainsTheGeneratorAsPyTorch() throws Exception {
        Model forward = IspSearch.search(new IspGraphs.Spec(1, 10, 32, 1.0, false), IspSearch.GateMode.RELAXED,
                IspSearch.GateGenerator.HYPER, 0);
        IspPredictorParityTest.load(forward, fx);
        Objective obj = Objective.of("mse", LossTerms.mse(IspSearch.GATES, "gate_target"))
                .plus("flops", 1, IspSearch.flopsTerm(IspFlops.authors(1, 32), 0.3));
        TrainConfig cfg = TrainConfig.of(obj, new Optimizer.AdamW(0.9, 0.999, 1e-8, 1e-3), 2)
                .withFrozen(IspSearch.FROZEN_C).withNoDecay(TrainConfig.NoDecay.NONE).withGradientOutputs();
        TrainStep step = TrainStepBuilder.build(forward, cfg);
        assertEquals(fx.keys("grad:"), List.copyOf(step.params().keySet()),
                "every generator parameter trains, the fixed inputs do not");
        Map<String, Tensor> in = new HashMap<>();
        in.putAll(step.carried());
        in.put(step.input(), Tensor.zeros(DataType.FLOAT, 2, 3, 32, 32));
        in.put(TrainStep.LABELS, Tensor.ofLongs(new long[] {2}, 0, 1));
        in.put(IspSearch.U_GATES, fx.get("u_gates"));
        in.put("gate_target", fx.get("gate_target"));
        in.put(TrainStep.LR, Tensor.scalar(1e-3f));
        Map<String, float[]> out = OrtParity.runFloats(step.train(), in, OrtParity.Settings.EXACT);
        for (String t : List.of("loss", "loss.mse", "loss.flops")) {
            assertClose(t, fx.get(t), out.get(t));
        }
        for (String p : step.params().keySet()) {
            assertClose("grad " + p, fx.get("grad:" + p), out.get(p + ".grad"));
            assertClose("AdamW step " + p, fx.get("next:" + p), out.get(TrainStep.next(p)));
        }
    }

    @Test
    void fixedInputsAreOrthonormal() {
        Model m = IspSearch.generator(IspSearch.Layout.resNet(9), IspSearch.GateGenerator.HYPER, 3);
        float[] x = m.graph().initializer(IspSearch.FIXED_INPUTS).constValue().toFloats();
        assertEquals(27 * 64, x.length);
        assertOrthonormal(x, 27, 64, true); // ResNet-56's 27 layers: orthonormal rows
        Random rng = new Random(5);
        float[] draws = new float[100 * 64];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = (float) rng.nextGaussian();
        }
        float[] tall = IspHyperStructure.orthogonal(Tensor.ofFloats(new long[] {100, 1, 64}, draws)).toFloats();
        assertOrthonormal(tall, 100, 64, false); // more layers than 64: orthonormal columns, as torch
    }

    private static void assertOrthonormal(float[] x, int rows, int cols, boolean byRow) {
        int n = byRow ? rows : cols;
        int len = byRow ? cols : rows;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < len; k++) {
                    dot += byRow ? x[i * cols + k] * (double) x[j * cols + k]
                            : x[k * cols + i] * (double) x[k * cols + j];
                }
                assertEquals(i == j ? 1 : 0, dot, 1e-6, (byRow ? "row " : "column ") + i + " . " + j);
            }
        }
    }
}

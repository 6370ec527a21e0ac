package dev.lathe.graph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.autodiff.Autodiff;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each training loss and its gradient with respect to the logits, as emitted into the train step, against PyTorch
 * (fixture from src/test/resources/autodiff/losses/generate.py): label-smoothed cross-entropy, CIC's logit-adjusted
 * CE (scale 30, class prior from counts), logit adjustment with tau and smoothing, EfficientMod's soft distillation
 * with temperature, ISP's KL divergence against targets with exact zeros.
 */
class LossParityTest {
    private static final int N = 6;
    private static final long C = 5;
    private static Fixture fx;

    @BeforeAll
    static void load() throws Exception {
        fx = new Fixture("/autodiff/losses");
    }

    /** Runs loss(logits) and d loss / d logits in ONNX Runtime and compares both with the fixture's {@code name}. */
    private static void check(String name, Loss loss, String logitsKey) throws Exception {
        Graph g = new Graph(name);
        Value logits = g.addInput(new Value("logits", TensorType.of(DataType.FLOAT, N, C)));
        g.addInput(new Value(TrainStep.LABELS, TensorType.of(DataType.INT64, N)));
        Ops e = GraphBuilder.editing(g, 17).inferTypes(false).ops();
        e.builder().namePrefix("loss");
        Value value = loss.objective().emit(new ObjectiveContext(g, e, N, Map.of("logits", logits)));
        ShapeInference.inferGraph(g, 17);
        Value grad = Autodiff.gradients(g, 17, value, List.of(logits)).get(logits);
        TrainStepBuilder.output(g, value, TrainStep.LOSS);
        TrainStepBuilder.output(g, grad, "grad");
        Model m = new Model(g);
        m.opsetImports().put("", 17L);
        Map<String, Tensor> feeds = new HashMap<>();
        feeds.put("logits", fx.get(logitsKey));
        feeds.put(TrainStep.LABELS, fx.get("y"));
        feeds.put(TrainStep.TEACHER_LOGITS, fx.get("teacher"));
        feeds.put(TrainStep.TARGET_PROBS, fx.get("q"));
        Map<String, float[]> out = OrtParity.runFloats(m, feeds, OrtParity.Settings.DEPLOYED);
        assertEquals(1, out.get(TrainStep.LOSS).length);
        Fixture.assertClose(name + " loss", fx.get(name + ".loss"), out.get(TrainStep.LOSS));
        Fixture.assertClose(name + " d loss / d logits", fx.get(name + ".grad"), out.get("grad"));
    }

    private static int[] counts() {
        float[] f = fx.get("counts").toFloats();
        int[] c = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            c[i] = (int) f[i];
        }
        return c;
    }

    @Test
    void crossEntropyWithLabelSmoothing() throws Exception {
        check("ce_ls", new Loss.CrossEntropy(0.1), "z");
    }

    @Test
    void cicLogitAdjustedCrossEntropyOnScaledCosineLogits() throws Exception {
        check("la_cic", new Loss.LogitAdjusted(Loss.LogitAdjusted.priorOf(counts()), 1.0, 0, 30), "cosine");
    }

    @Test
    void logitAdjustmentWithTauAndLabelSmoothing() throws Exception {
        check("la_tau", new Loss.LogitAdjusted(Loss.LogitAdjusted.priorOf(counts()), 1.5, 0.1), "z");
    }

    @Test
    void softDistillationWithTemperature() throws Exception {
        check("kd", new Loss.Distillation(2.0, 0.9, 0.1), "z");
    }

    @Test
    void klDivergenceAgainstTargetsWithZeros() throws Exception {
        check("kl", new Loss.KlDivergence(), "z");
    }
}

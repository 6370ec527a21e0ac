package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.validate.ModelValidator;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.pruning.plan.Planner;
import dev.lathe.pruning.plan.PruningPlan;
import dev.lathe.pruning.surgery.Surgery;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pruning the zoo's models (built by the models module): the cut is exact against a copy with the removed slices
 * zeroed, in ONNX Runtime (rel 1e-5); the cut graph validates, and params and MACs go down. IIEU-B's filter norms
 * F = 1/||W_c|| are computed in the graph from the conv weights being cut (SEEDS §1.1), and its channel-shift
 * LayerNorm is compared against ZERO mode's masked statistics; PRelu's per-channel slope is cut with its channels;
 * EfficientMod loses whole attention heads (q, k, v rows, proj columns, head-count entries of the reshapes); on
 * IIEU-DC only the channels inside each branch are cut (the dynamic scaler holds the streams), and that cut is exact.
 */
class ZooPruningTest {

    /** The first output for one float input, the graph as written, one thread. */
    private static float[] run(Model m, long[] shape, float[] x) throws Exception {
        Map<String, Tensor> in = Map.of(m.graph().inputs().get(0).name(), Tensor.ofFloats(shape, x));
        return OrtParity.runFloats(m, in, OrtParity.Settings.EXACT).values().iterator().next();
    }

    @ParameterizedTest
    @CsvSource({"resnet18, 32, false", "resnext50_32x4d, 32, true", "densenet121, 32, false",
            "mobilenet_v2, 32, true", "cic_resnet32, 32, true", "cic_resnext50_32x4d, 32, false",
            "cifar_resnet56, 32, false", "iieub_resnet14, 32, false", "iieub_mobilenetv2_017, 32, true",
            "prelu_resnet14, 32, true", "efficientmod_xxs, 64, false", "iieudc_resnet14, 32, true",
            "iieudc_mobilenetv2_017, 32, false"})
    void cutIsExact(String name, int resolution, boolean global) throws Exception {
        ZooConfig cfg = ModelZoo.get(name).defaults().withResolution(resolution).withClasses(10).withSeed(3);
        Model a = ModelZoo.get(name).build(cfg);
        Model b = ModelZoo.get(name).build(cfg);
        ChannelGraph ga = new ChannelAnalyzer(Set.of()).analyze(a);
        ChannelGraph gb = new ChannelAnalyzer(Set.of()).analyze(b);
        Planner planner = new Planner(ga, new MagnitudeImportance(1));
        Map<Integer, BitSet> removed = planner.select(PlanOptions.ratio(0.3).withGlobal(global));
        PruningPlan plan = PruningPlan.of(ga, removed, "l1", "");
        assertTrue(plan.removedChannels() > 0, name + ": nothing removed; " + Pruner.blockReport(ga));
        ModelCount before = ModelCounter.count(a);
        Surgery.apply(ga, removed, Surgery.Mode.CUT);
        Surgery.apply(gb, PruningPlan.fromJson(plan.toJson()).resolve(gb), Surgery.Mode.ZERO);
        ModelValidator.validate(a);
        ModelCount after = ModelCounter.count(a);
        assertTrue(after.params() < before.params() && after.macs() < before.macs(), name);
        assertEquals(planner.macs(removed), after.macs(), name + ": planner's MACs estimate");
        long[] shape = {2, 3, resolution, resolution};
        float[] x = OrtParity.gaussian(1, shape);
        float[] ya = run(a, shape, x);
        float[] yb = run(b, shape, x);
        double relError = OrtParity.relError(yb, ya);
        assertTrue(relError <= 1e-5, name + ": rel error " + relError);
    }

    /**
     * Only the classifier's outputs are held: IIEU-B's filter norms, PRelu's slopes, the option-A shortcut's zero
     * channel padding (ISP's CIFAR ResNet-56) and EfficientMod's attention heads all follow the cut.
     */
    @ParameterizedTest
    @CsvSource({"cifar_resnet56, 32", "iieub_resnet14, 32", "iieub_mobilenetv2_017, 32", "prelu_resnet14, 32",
            "efficientmod_xxs, 64", "efficientmod_s, 64"})
    void onlyTheClassifierIsHeld(String name, int resolution) {
        ZooConfig cfg = ModelZoo.get(name).defaults().withResolution(resolution).withClasses(10).withSeed(3);
        java.util.List<String> blocked = Pruner.blockReport(new ChannelAnalyzer(Set.of()).analyze(
                ModelZoo.get(name).build(cfg)));
        assertEquals(1, blocked.size(), name + " blocked: " + blocked);
        assertTrue(blocked.get(0).contains("graph output"), blocked.get(0));
    }
}

package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
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
import java.nio.FloatBuffer;
import java.util.BitSet;
import java.util.Map;
import java.util.Random;
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

    private static float[] run(Model m, long[] shape, float[] x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession s = env.createSession(Onnx.toBytes(m), o);
                    OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                    OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
                FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] f = new float[b.remaining()];
                b.get(f);
                return f;
            }
        }
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
        Random r = new Random(1);
        float[] x = new float[(int) (2L * 3 * resolution * resolution)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] ya = run(a, shape, x);
        float[] yb = run(b, shape, x);
        double scale = 1e-30;
        double diff = 0;
        for (int i = 0; i < ya.length; i++) {
            scale = Math.max(scale, Math.abs(yb[i]));
            diff = Math.max(diff, Math.abs(ya[i] - yb[i]));
        }
        assertTrue(diff / scale <= 1e-5, name + ": rel error " + diff / scale);
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

package dev.lathe.tests;

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
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.plan.PlanOptions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * EfficientMod (channel-last, LayerNorm over the channels, qkv Split, modulation Mul, attention heads): pruned, it
 * validates, runs in ONNX Runtime with the right output shape, params and MACs go down, and whole heads are removed
 * (the head-count entry of every head reshape shrinks together with q, k, v and proj). Exactness against the zeroed
 * model is checked in {@link ZooPruningTest}.
 */
class EfficientModPruningTest {
    @Test
    void prunedEfficientModValidatesAndRuns() throws Exception {
        ZooConfig cfg = ModelZoo.get("efficientmod_xxs").defaults().withResolution(64).withClasses(10);
        Model m = ModelZoo.get("efficientmod_xxs").build(cfg);
        Pruner.Result r = Pruner.prune(m, new MagnitudeImportance(1), PlanOptions.ratio(0.3), Set.of());
        assertTrue(r.plan().removedChannels() > 0, "blocked: " + r.blocked());
        ModelValidator.validate(m);
        ModelCount before = r.before();
        ModelCount after = r.after();
        assertTrue(after.params() < before.params() && after.macs() < before.macs());
        int headReshapes = 0;
        for (dev.lathe.graph.ir.Node n : m.graph().nodes()) {
            if (n.opType().equals("Reshape") && n.name().contains("attn")) {
                long[] shape = dev.lathe.graph.infer.Constants.valueOf(n.input(1)).toLongs();
                if (shape.length == 4) {
                    headReshapes++;
                    // The group's anchor is the qkv output (3·8·32 = 768 channels, 96 per head): ratio 0.3 removes at
                    // most 768 − floor(0.7·768) = 231 channels, i.e. 2 whole heads.
                    assertTrue(shape[2] == 6, n.name() + ": 6 of 8 heads kept expected, got "
                            + java.util.Arrays.toString(shape));
                }
            }
        }
        assertTrue(headReshapes == 9, "q, k, v head reshapes of 3 attention blocks, found " + headReshapes);
        Map<String, Tensor> out = OrtParity.run(m, Map.of(m.graph().inputs().get(0).name(),
                Tensor.ofFloats(new long[] {2, 3, 64, 64}, new float[2 * 3 * 64 * 64])), OrtParity.Settings.ORT_DEFAULTS);
        long[] shape = out.values().iterator().next().dims();
        assertTrue(shape[0] == 2 && shape[1] == 10, java.util.Arrays.toString(shape));
    }
}

package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.plan.PlanOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * "The cut is exact" on torch.onnx exports of torchvision ResNet-50, ResNeXt-50, DenseNet-121 and MobileNetV2
 * (narrow widths, opsets 13 and 17; generate_pruning_fixtures.py).
 */
class TorchvisionExactCutTest {
    static final long[] SHAPE = {1, 3, 64, 64};

    static Model load(String name) throws Exception {
        return Onnx.load(Path.of(TorchvisionExactCutTest.class.getResource("/fixtures/torchvision/" + name + ".onnx")
                .toURI()));
    }

    @ParameterizedTest
    @CsvSource({"resnet50_narrow_op13, false", "resnet50_narrow_op17, true", "resnext50_narrow_op13, true",
            "resnext50_narrow_op17, false", "densenet121_narrow_op13, false", "densenet121_narrow_op17, true",
            "mobilenet_v2_w025_op13, true", "mobilenet_v2_w025_op17, false"})
    void cutIsExact(String name, boolean global) throws Exception {
        ExactCut.Outcome r = ExactCut.check(ExactCut.copy(load(name)), ExactCut.copy(load(name)),
                new MagnitudeImportance(1), PlanOptions.ratio(0.3).withGlobal(global), Set.of(), "input", SHAPE);
        assertTrue(r.relError() <= 1e-5, name + ": cut and zeroed outputs differ, rel error " + r.relError());
        assertTrue(r.paramsAfter() < r.paramsBefore() && r.macsAfter() < r.macsBefore(), name);
        assertEquals(r.estimatedMacs(), r.macsAfter(), name + " MACs estimate");
        assertEquals(r.estimatedParams(), r.paramsAfter(), name + " params estimate (what --target-params bisects on)");
        // Only the classifier's outputs are held: every conv's channels are prunable.
        List<String> blocked = Pruner.blockReport(r.graph());
        assertEquals(1, blocked.size(), name + " blocked: " + blocked);
        assertTrue(blocked.get(0).contains("graph output"), blocked.get(0));
    }

    /**
     * A plain torch.onnx export types only the graph's inputs and outputs. The analysis infers the sizes its handlers
     * need (Flatten reads the spatial size behind the channels); before it did, the last residual stream of ResNet-50
     * and the last dense block's features were blocked at the Flatten, which left ~2 M more parameters than
     * Torch-Pruning at the same ratio.
     */
    @ParameterizedTest
    @CsvSource({"resnet50_narrow_op13", "densenet121_narrow_op17"})
    void exportWithoutIntermediateTypesIsFullyPrunable(String name) throws Exception {
        Model m = load(name);
        for (Node n : m.graph().nodes()) {
            for (Value v : n.outputs()) {
                if (!m.graph().outputs().contains(v)) {
                    v.setType(null);
                }
            }
        }
        List<String> blocked = Pruner.blockReport(new ChannelAnalyzer(Set.of()).analyze(m));
        assertEquals(1, blocked.size(), name + " blocked: " + blocked);
        assertTrue(blocked.get(0).contains("graph output"), blocked.get(0));
    }

    @ParameterizedTest
    @CsvSource({"resnet50_narrow_op17", "densenet121_narrow_op13", "resnext50_narrow_op13"})
    void groupsMatchTheArchitecture(String name) throws Exception {
        ChannelGraph cg = new ChannelAnalyzer(Set.of()).analyze(load(name));
        // ResNet-50: the stem, 4 residual streams (one per stage, opened by its downsample), 2 inner widths per
        // bottleneck (16 blocks), the classifier.
        if (name.startsWith("resnet50") || name.startsWith("resnext50")) {
            assertEquals(1 + 4 + 2 * 16 + 1, cg.groups().size(), name);
        } else {
            // DenseNet-121: stem, per dense layer its bottleneck conv and its growth conv (58 layers), 3 transitions, fc.
            assertEquals(1 + 2 * 58 + 3 + 1, cg.groups().size(), name);
        }
    }
}

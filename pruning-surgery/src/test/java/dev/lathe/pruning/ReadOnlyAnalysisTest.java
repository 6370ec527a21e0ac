package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.plan.PlanOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Counting and channel analysis only read: on a model typed like a plain torch.onnx export (graph inputs and outputs
 * only) they infer what they need aside and leave every value's type as it was; a cut, which edits the model, types it.
 */
class ReadOnlyAnalysisTest {
    private static Model untypedExportLike() {
        Model m = BlockingTest.withGather();
        for (Node n : m.graph().nodes()) {
            for (Value v : n.outputs()) {
                if (!m.graph().outputs().contains(v)) {
                    v.setType(null);
                }
            }
        }
        return m;
    }

    private static List<TensorType> types(Model m) {
        List<TensorType> out = new ArrayList<>();
        for (Node n : m.graph().nodes()) {
            for (Value v : n.outputs()) {
                out.add(v.type());
            }
        }
        return out;
    }

    @Test
    void countingDoesNotTypeTheCallersModel() {
        Model m = untypedExportLike();
        List<TensorType> before = types(m);
        long macs = ModelCounter.count(m).macs();
        assertTrue(macs > 0, "MACs need the inferred output sizes: " + macs);
        assertEquals(before, types(m));
    }

    @Test
    void analysisDoesNotTypeTheCallersModelButTheCutDoes() {
        Model m = untypedExportLike();
        List<TensorType> before = types(m);
        ChannelGraph cg = Pruner.analyze(m, Set.of());
        assertEquals(5, cg.groups().stream().filter(g -> g.anchor().origin().name().startsWith("mid"))
                .findFirst().orElseThrow().prunableUnitCount(), "the analysis saw the inferred sizes");
        assertEquals(before, types(m));
        Value mid = m.graph().nodes().stream().filter(n -> n.name().startsWith("mid")).findFirst().orElseThrow()
                .output(0);
        assertNull(mid.type());

        Pruner.prune(m, new MagnitudeImportance(1), PlanOptions.ratio(0.5), Set.of());
        assertNotNull(mid.type(), "the cut writes the types the analysis held aside");
    }
}

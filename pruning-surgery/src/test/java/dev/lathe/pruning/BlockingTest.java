package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.plan.PlanOptions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ops without a handler, graph outputs and ignored nodes hold channels, and the report says which and why. */
class BlockingTest {
    /** conv1 -> Gather on the channel axis (no handler) -> conv2 -> output; conv1 also feeds conv3 -> output. */
    static Model withGather() {
        GraphBuilder b = new GraphBuilder("gather", 17);
        Nn nn = new Nn(b, 3);
        Value x = b.input("input", DataType.FLOAT, 1, 3, 6, 6);
        Value a = b.ops().relu(nn.conv2d("conv1", x, 6, ConvAttrs.same(3), false));
        Value picked = b.ops().gather(a, b.constant(Tensor.vector(0, 2, 4)), 1);
        Value y = nn.conv2d("conv2", picked, 4, ConvAttrs.same(3), false);
        Value z = nn.conv2d("conv3", b.ops().relu(nn.conv2d("mid", a, 5, ConvAttrs.same(3), false)), 4,
                ConvAttrs.same(3), false);
        b.output(b.ops().add(y, z), "y");
        return b.build();
    }

    private static ChannelGroup groupOf(ChannelGraph cg, String prefix) {
        return cg.groups().stream().filter(g -> g.anchor().origin().name().startsWith(prefix)).findFirst()
                .orElseThrow();
    }

    @Test
    void opWithoutHandlerBlocksItsGroupAndIsNamed() {
        ChannelGraph cg = new ChannelAnalyzer(Set.of()).analyze(withGather());
        ChannelGroup g = groupOf(cg, "conv1");
        assertEquals(0, g.prunableUnitCount());
        assertTrue(g.blockReasons().get(0).contains("Gather"), g.blockReasons().toString());
        assertEquals(5, groupOf(cg, "mid").prunableUnitCount(), "the unrelated group stays prunable");
        List<String> report = Pruner.blockReport(cg);
        assertTrue(report.stream().anyMatch(l -> l.startsWith("conv1") && l.contains("Gather")), report.toString());
        assertTrue(report.stream().anyMatch(l -> l.contains("graph output y")), report.toString());
    }

    @Test
    void pruningLeavesBlockedGroupsAndIgnoredNodesAlone() {
        Model m = withGather();
        Pruner.Result r = Pruner.prune(m, new MagnitudeImportance(1), PlanOptions.ratio(0.5), Set.of());
        assertEquals(6, m.graph().initializer("conv1.weight").constValue().dim(0));
        assertEquals(2, m.graph().initializer("mid.weight").constValue().dim(0), "floor(5 * 0.5) kept");
        assertTrue(r.after().params() < r.before().params());

        Model m2 = withGather();
        String midNode = m2.graph().nodes().stream().filter(n -> n.name().startsWith("mid")).map(Node::name)
                .findFirst().orElseThrow();
        ChannelGraph cg = new ChannelAnalyzer(Set.of(midNode)).analyze(m2);
        assertTrue(groupOf(cg, "mid").blockReasons().get(0).contains("ignored"));
    }

    @Test
    void neverCutsASpaceToZeroAndHonoursMaxRatio() {
        Model m = withGather();
        Pruner.prune(m, new MagnitudeImportance(1), PlanOptions.ratio(0.99).withMaxRatio(0.6), Set.of());
        assertEquals(2, m.graph().initializer("mid.weight").constValue().dim(0), "5 channels, at most 60% removed");
        Model m2 = withGather();
        Pruner.prune(m2, new MagnitudeImportance(1), PlanOptions.ratio(0.99), Set.of());
        assertEquals(1, m2.graph().initializer("mid.weight").constValue().dim(0), "one channel always stays");
    }
}

package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.importance.RandomImportance;
import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** "The cut is exact" on one small graph per coupling kind (see {@link ExactCut}). */
class ExactCutTest {
    static final double TOL = 1e-5;

    private static ExactCut.Outcome exact(Supplier<Model> build, PlanOptions o, Set<String> ignored) throws Exception {
        ExactCut.Outcome r = ExactCut.check(build.get(), build.get(), new MagnitudeImportance(1), o, ignored, "input",
                Graphs.SHAPE);
        assertTrue(r.relError() <= TOL, "cut and zeroed models differ: rel error " + r.relError());
        assertTrue(r.paramsAfter() < r.paramsBefore(), "params did not go down");
        assertEquals(r.estimatedMacs(), r.macsAfter(), "planner's MACs estimate vs the cut model");
        assertTrue(r.macsAfter() < r.macsBefore(), "MACs did not go down");
        return r;
    }

    private static Node node(Model m, String prefix) {
        return m.graph().nodes().stream().filter(n -> n.name().startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void residualAddCutsTheWholeStreamTogether() throws Exception {
        ExactCut.Outcome r = exact(Graphs::residual, PlanOptions.ratio(0.4), Set.of());
        long stem = node(r.cut(), "stem.conv").input(1).constValue().dim(0);
        long b12 = node(r.cut(), "b1.2.conv").input(1).constValue().dim(0);
        long b22 = node(r.cut(), "b2.2.conv").input(1).constValue().dim(0);
        assertEquals(stem, b12, "residual add couples stem and block outputs");
        assertEquals(stem, b22);
        assertTrue(stem < 8);
    }

    @Test
    void globalRankingAndRoundTo() throws Exception {
        ExactCut.Outcome r = exact(Graphs::residual, PlanOptions.ratio(0.5).withGlobal(true).withRoundTo(2),
                Set.of());
        for (Node n : r.cut().graph().nodes()) {
            if (n.opType().equals("Conv")) {
                assertEquals(0, n.input(1).constValue().dim(0) % 2, n.name() + " keeps an odd channel count");
            }
        }
    }

    @Test
    void denseNetConcatOffsets() throws Exception {
        ExactCut.Outcome r = exact(Graphs::dense, PlanOptions.ratio(0.5), Set.of());
        // tr.bn reads stem (8) + l1 (4) + l2 (4) channels, each cut in its own group.
        long trIn = node(r.cut(), "tr.conv").input(1).constValue().dim(1);
        long expect = node(r.cut(), "stem.conv").input(1).constValue().dim(0)
                + node(r.cut(), "l1.conv").input(1).constValue().dim(0)
                + node(r.cut(), "l2.conv").input(1).constValue().dim(0);
        assertEquals(expect, trIn);
        assertTrue(trIn < 16);
    }

    @Test
    void groupedConvCutsTheSamePositionsInEveryGroup() throws Exception {
        ExactCut.Outcome r = exact(Graphs::grouped, PlanOptions.ratio(0.5), Set.of());
        Node g = node(r.cut(), "c2.conv");
        assertEquals(4, g.attrInt("group", 1));
        assertEquals(2, g.input(1).constValue().dim(1), "4 input channels per group -> 2");
        assertEquals(8, g.input(1).constValue().dim(0), "16 outputs -> 8, 2 per group");
    }

    @Test
    void depthwiseCutsInputsOutputsAndGroupCount() throws Exception {
        ExactCut.Outcome r = exact(Graphs::depthwise, PlanOptions.ratio(0.5), Set.of());
        Node dw = node(r.cut(), "dw.conv");
        assertEquals(dw.input(1).constValue().dim(0), dw.attrInt("group", 0));
        assertEquals(4, dw.attrInt("group", 0));
        Node dw2 = node(r.cut(), "dw2.conv");
        assertEquals(2 * dw2.attrInt("group", 0), dw2.input(1).constValue().dim(0), "multiplier 2 kept");
    }

    @Test
    void flattenIntoGemmCutsSixteenColumnsPerChannel() throws Exception {
        ExactCut.Outcome r = exact(Graphs::flattenGemm, PlanOptions.ratio(0.5), Set.of());
        long c = node(r.cut(), "c1.conv").input(1).constValue().dim(0);
        assertEquals(c * 16, node(r.cut(), "fc1").input(1).constValue().dim(1));
    }

    @Test
    void normedLinearCutsTheInOutWeightRows() throws Exception {
        ExactCut.Outcome r = exact(Graphs::normedLinear, PlanOptions.ratio(0.5), Set.of());
        long c = node(r.cut(), "c2.conv").input(1).constValue().dim(0);
        assertEquals(c, r.cut().graph().initializer("fc.weight").constValue().dim(0));
        assertEquals(5, r.cut().graph().initializer("fc.weight").constValue().dim(1));
    }

    @Test
    void splitSliceReshapeTransposeTilePreluMulConvTransposeLayerNorm() throws Exception {
        // The LayerNorm over the channels is exact because ZERO mode restricts its statistics to the kept channels.
        ExactCut.Outcome r = exact(Graphs::shapes, PlanOptions.ratio(0.5), Set.of());
        assertTrue(r.plan().groups().size() >= 5, "plan: " + r.plan().toJson());
        assertTrue(r.plan().groups().stream().anyMatch(g -> g.anchor().startsWith("tile.pre")),
                "the LayerNorm-coupled channels are cut: " + r.plan().toJson());
    }

    @Test
    void randomCriterionIsExactToo() throws Exception {
        ExactCut.Outcome r = ExactCut.check(Graphs.dense(), Graphs.dense(), new RandomImportance(3),
                PlanOptions.ratio(0.3).withGlobal(true), Set.of(), "input", Graphs.SHAPE);
        assertTrue(r.relError() <= TOL, "rel error " + r.relError());
    }
}

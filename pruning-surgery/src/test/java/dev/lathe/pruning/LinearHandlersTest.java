package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.exact;
import static dev.lathe.pruning.ExactCut.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Gemm and MatMul cut exactly where their inputs carry channels; see {@link ExactCut}. */
class LinearHandlersTest {
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
}

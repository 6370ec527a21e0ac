package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.exact;
import static dev.lathe.pruning.ExactCut.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.ir.Node;
import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Grouped and depthwise convolutions cut exactly; see {@link ExactCut}. */
class ConvHandlersTest {
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
}

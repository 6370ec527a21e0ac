package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.exact;
import static dev.lathe.pruning.ExactCut.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Concat offsets (DenseNet) cut exactly; see {@link ExactCut}. Split and Slice: {@link ShapeHandlersTest}. */
class IndexingHandlersTest {
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
}

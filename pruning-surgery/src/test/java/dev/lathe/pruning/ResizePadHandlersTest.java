package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.exact;
import static dev.lathe.pruning.ExactCut.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A spatial Pad and a nearest Resize pass the channels through and cut exactly; see {@link ExactCut}. */
class ResizePadHandlersTest {
    @Test
    void spatialPadAndResizeKeepTheChannels() throws Exception {
        ExactCut.Outcome r = exact(Graphs::resizePad, PlanOptions.ratio(0.5), Set.of());
        long c1 = node(r.cut(), "c1.conv").input(1).constValue().dim(0);
        assertTrue(c1 < 8, "c1 is cut: " + r.plan().toJson());
        assertEquals(c1, node(r.cut(), "c2.conv").input(1).constValue().dim(1), "c2 reads the kept channels");
    }
}

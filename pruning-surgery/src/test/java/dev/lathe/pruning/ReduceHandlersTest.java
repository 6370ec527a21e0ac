package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.exact;
import static dev.lathe.pruning.ExactCut.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reductions cut exactly: a ReduceSum over the channels (cut channels held zeros), a ReduceMean over the spatial
 * axes feeding a Gemm, a Softmax over a spatial axis; see {@link ExactCut}.
 */
class ReduceHandlersTest {
    @Test
    void reductionsOverAndBesideTheChannels() throws Exception {
        ExactCut.Outcome r = exact(Graphs::reductions, PlanOptions.ratio(0.5), Set.of());
        long c1 = node(r.cut(), "c1.conv").input(1).constValue().dim(0);
        long c2 = node(r.cut(), "c2.conv").input(1).constValue().dim(0);
        assertTrue(c1 < 8 && c2 < 8, "both convs are cut: " + r.plan().toJson());
        assertEquals(c1, node(r.cut(), "c2.conv").input(1).constValue().dim(1));
        assertEquals(c2, r.cut().graph().initializer("fc.weight").constValue().dim(1),
                "the Gemm after ReduceMean reads the kept channels");
    }
}

package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.exact;
import static dev.lathe.pruning.ExactCut.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Element-wise couplings (a residual Add joins the stream it adds) cut exactly; see {@link ExactCut}. */
class ElementwiseHandlersTest {
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
}

package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.TOL;
import static dev.lathe.pruning.ExactCut.exact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Node;
import dev.lathe.pruning.importance.RandomImportance;
import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * "The cut is exact" for the planner's global ranking and for a random criterion (see {@link ExactCut}); one
 * coupling kind per op family is in the {@code *HandlersTest} classes.
 */
class ExactCutTest {
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
    void randomCriterionIsExactToo() throws Exception {
        ExactCut.Outcome r = ExactCut.check(Graphs.dense(), Graphs.dense(), new RandomImportance(3),
                PlanOptions.ratio(0.3).withGlobal(true), Set.of(), "input", Graphs.SHAPE);
        assertTrue(r.relError() <= TOL, "rel error " + r.relError());
    }
}

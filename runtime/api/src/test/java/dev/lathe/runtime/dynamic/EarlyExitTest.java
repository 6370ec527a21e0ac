package dev.lathe.runtime.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The exit rule on hand-made tables whose answers are worked out in the comments. */
class EarlyExitTest {
    /**
     * Four images, three stages. Image 0 is confident at once; image 1 at stage 1 only; image 2 never (exits at the
     * last stage); image 3 sits exactly at 0.9f at stage 0, which a strict comparison must not let out.
     */
    private static final ExitTable TABLE = new ExitTable(4, 3,
            new float[] {0.95f, 0.97f, 0.99f,
                         0.30f, 0.92f, 0.93f,
                         0.10f, 0.20f, 0.30f,
                         0.9f, 0.95f, 0.96f},
            new boolean[] {true, true, true,
                           false, true, true,
                           true, false, false,
                           false, false, true});
    private static final StageCosts COSTS = new StageCosts(1, 3, 4);

    @Test
    void exitsAtFirstStageStrictlyAboveItsThreshold() {
        ExitResult r = EarlyExit.evaluate(TABLE, new double[] {0.9, 0.9, 0}, COSTS);
        // image 0 -> stage 0 (right), image 1 -> stage 1 (right), image 2 -> stage 2 (wrong), image 3 -> stage 1
        assertArrayEquals(new long[] {1, 2, 1}, r.exits());
        assertEquals(0.5, r.accuracy(), 0);
        assertEquals((1 + 3 + 3 + 4) / 4.0, r.averageMacs(), 1e-12);
    }

    @Test
    void lastStageKeepsEveryoneLeft() {
        ExitResult r = EarlyExit.evaluate(TABLE, new double[] {0.99, 0.99, 0.99}, COSTS);
        assertArrayEquals(new long[] {0, 0, 4}, r.exits());
        assertEquals(TABLE.staticAccuracy(2), r.accuracy(), 0);
        assertEquals(4.0, r.averageMacs(), 0);
    }

    @Test
    void fewerThresholdsThanStagesStopEarlier() {
        ExitResult r = EarlyExit.evaluate(TABLE, new double[] {0}, COSTS);
        assertArrayEquals(new long[] {4}, r.exits());
        assertEquals(TABLE.staticAccuracy(0), r.accuracy(), 0);
        assertEquals(0.5, r.accuracy(), 0);
    }

    @Test
    void anchorNetCostsCountProposalNetOnceAndOneDownstreamRunPerInput() {
        StageCosts c = StageCosts.anchorNet(0.790, 0.06, 3);
        assertEquals(0.790, c.macs(0), 0);
        assertEquals(0.06 + 2 * 0.790, c.macs(1), 1e-12);
        assertEquals(0.06 + 3 * 0.790, c.macs(2), 1e-12);
    }

    @Test
    void searchFindsMostAccurateSettingWithinBudget() {
        List<double[]> grid = List.of(new double[] {0.5, 0.9, 0.96}, new double[] {0.5, 0.9, 0.99}, new double[] {0});
        // {0.9, 0.99}: images 0 (stage 0), 1, 3 (stage 2) right -> 0.75 at (1 + 4 + 4 + 4) / 4 = 3.25 MACs;
        // {0.96, 0.99}: everyone at stage 2 -> 0.75 at 4 MACs, as accurate but dearer;
        // every other combination is 0.5 accurate, the cheapest {0.5, 0.5} at (1 + 1 + 3 + 4) / 4 = 2.25.
        ExitResult best = ThresholdSearch.best(TABLE, COSTS, grid, 4.0);
        assertArrayEquals(new double[] {0.9, 0.99, 0}, best.thresholds());
        assertEquals(0.75, best.accuracy(), 0);
        assertEquals(3.25, best.averageMacs(), 1e-12);
        ExitResult cheap = ThresholdSearch.best(TABLE, COSTS, grid, 3.0);
        assertEquals(0.5, cheap.accuracy(), 0);
        assertEquals(2.25, cheap.averageMacs(), 1e-12);
        assertNull(ThresholdSearch.best(TABLE, COSTS, grid, 2.0));
    }

    @Test
    void rejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> new ExitTable(2, 2, new float[3], new boolean[4]));
        assertThrows(IllegalArgumentException.class, () -> EarlyExit.evaluate(TABLE, new double[4], COSTS));
        assertThrows(IllegalArgumentException.class, () -> EarlyExit.evaluate(TABLE, new double[3], new StageCosts(1)));
    }
}

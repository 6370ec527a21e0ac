package dev.lathe.runtime.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tree walk of {@link ThresholdSearch#sweep} against the plain exit rule, and the Pareto front. */
class ThresholdSweepTest {
    @Test
    void sweepEqualsEvaluatingEverySettingOnItsOwn() {
        Random rnd = new Random(7);
        int n = 500;
        int s = 4;
        float[] conf = new float[n * s];
        boolean[] right = new boolean[n * s];
        for (int i = 0; i < conf.length; i++) {
            conf[i] = (float) Math.round(rnd.nextDouble() * 20) / 20; // many exact ties with the candidates
            right[i] = rnd.nextDouble() < 0.3 + 0.1 * (i % s);
        }
        ExitTable table = new ExitTable(n, s, conf, right);
        StageCosts costs = StageCosts.anchorNet(0.79, 0.06, s);
        double[] grid = {0, 0.1, 0.35, 0.5, 0.9, 1.0};
        List<ExitResult> all = ThresholdSearch.sweep(table, costs, List.of(grid, grid, grid));
        assertEquals(grid.length * grid.length * grid.length, all.size());
        for (ExitResult r : all) {
            ExitResult want = EarlyExit.evaluate(table, r.thresholds(), costs);
            assertEquals(want.accuracy(), r.accuracy(), 0, r.toString());
            assertEquals(want.averageMacs(), r.averageMacs(), 1e-12, r.toString());
            assertArrayEquals(want.exits(), r.exits(), r.toString());
        }
    }

    @Test
    void frontKeepsOnlyUndominatedSettingsCheapestFirst() {
        List<ExitResult> points = List.of(point(0.70, 1.0), point(0.72, 1.5), point(0.71, 1.6), point(0.72, 2.0),
                point(0.75, 3.0), point(0.69, 0.8));
        List<ExitResult> front = ParetoFront.of(points);
        assertEquals(4, front.size());
        double[][] want = {{0.69, 0.8}, {0.70, 1.0}, {0.72, 1.5}, {0.75, 3.0}};
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k][0], front.get(k).accuracy(), 0);
            assertEquals(want[k][1], front.get(k).averageMacs(), 0);
        }
        assertEquals(0.72, ParetoFront.withinBudget(front, 2.9).accuracy(), 0);
        assertNull(ParetoFront.withinBudget(front, 0.5));
        assertEquals(1.5, ParetoFront.reaching(front, 0.71).averageMacs(), 0);
        assertNull(ParetoFront.reaching(front, 0.8));
        assertTrue(ParetoFront.of(List.of()).isEmpty());
    }

    private static ExitResult point(double accuracy, double macs) {
        return new ExitResult(new double[] {0}, accuracy, macs, new long[] {1});
    }
}

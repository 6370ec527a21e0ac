package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.importance.CicImportance;
import dev.lathe.pruning.importance.CicStatistics;
import dev.lathe.pruning.importance.ClassScoreStats;
import dev.lathe.pruning.importance.GradientSet;
import dev.lathe.pruning.importance.GradientSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** CIC's class-wise statistics are mergeable: shards merged give what one pass over all batches gives. */
class CicStatisticsTest {
    /** Gaussian gradients for every initializer of {@code m}, one batch per entry of {@code classes}. */
    static GradientSet randomGradients(Model m, int[] classes, Random r) {
        List<GradientSet.Batch> batches = new ArrayList<>();
        for (int c : classes) {
            Map<String, Tensor> g = new LinkedHashMap<>();
            for (Value v : m.graph().initializers().values()) {
                float[] f = new float[(int) v.constValue().numel()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) r.nextGaussian();
                }
                g.put(v.name(), Tensor.ofFloats(v.constValue().dims(), f));
            }
            batches.add(new GradientSet.Batch(c, g));
        }
        return new GradientSet(batches);
    }

    @Test
    void mergedShardsEqualOnePass() throws Exception {
        Model m = Graphs.residual();
        ChannelGraph cg = new ChannelAnalyzer(Set.of()).analyze(m);
        int[] classes = {3, 0, 1, 1, 2, 0, 3, 3, 2, 1, 0, 2};
        GradientSet all = randomGradients(m, classes, new Random(17));
        CicStatistics onePass = CicStatistics.collect(m, cg, GradientSource.fixed(all), true);

        // Three shards of unequal size, merged in another order than they were drawn.
        List<GradientSet.Batch> b = all.batches();
        CicStatistics[] shards = new CicStatistics[3];
        int[][] ranges = {{0, 5}, {5, 6}, {6, 12}};
        for (int s = 0; s < 3; s++) {
            GradientSet part = new GradientSet(b.subList(ranges[s][0], ranges[s][1]));
            shards[s] = CicStatistics.collect(m, cg, GradientSource.fixed(part), true);
        }
        CicStatistics merged = shards[2].merge(CicStatistics.empty()).merge(shards[0]).merge(shards[1]);

        assertEquals(onePass.byGroup().keySet(), merged.byGroup().keySet());
        for (var e : onePass.byGroup().entrySet()) {
            ClassScoreStats one = e.getValue();
            ClassScoreStats mg = merged.byGroup().get(e.getKey());
            assertEquals(one.byClass().keySet(), mg.byClass().keySet());
            for (var c : one.byClass().entrySet()) {
                ClassScoreStats.Sums x = c.getValue();
                ClassScoreStats.Sums y = mg.byClass().get(c.getKey());
                assertEquals(x.count(), y.count());
                assertRelative(x.sum(), y.sum());
                assertRelative(x.sumSquares(), y.sumSquares());
            }
        }
        long batches = onePass.byGroup().values().iterator().next().byClass().values().stream()
                .mapToLong(ClassScoreStats.Sums::count).sum();
        assertEquals(classes.length, batches);
        var g = cg.prunableGroups().get(0);
        assertArrayEquals(new CicImportance(onePass, 1.0).score(g), new CicImportance(merged, 1.0).score(g), 1e-12);
    }

    @Test
    void sumsOfSquaresAndCountsAreKeptPerClass() {
        ClassScoreStats s = ClassScoreStats.of(1, new double[] {1, 2}).merge(ClassScoreStats.of(1, new double[] {3, 4}))
                .merge(ClassScoreStats.of(0, new double[] {5, 6}));
        ClassScoreStats.Sums one = s.byClass().get(1);
        assertEquals(2, one.count());
        assertArrayEquals(new double[] {4, 6}, one.sum());
        assertArrayEquals(new double[] {10, 20}, one.sumSquares());
        assertArrayEquals(new double[] {2, 3}, one.mean());
        // Class means (5, 6) and (2, 3): mean 3.5 and 4.5, unbiased std over the two classes 1.5·√2.
        double std = Math.sqrt(2 * 1.5 * 1.5);
        assertArrayEquals(new double[] {3.5 - std, 4.5 - std}, s.consistency(1.0), 1e-12);
        assertArrayEquals(new double[] {3.5, 4.5}, s.consistency(0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> s.merge(ClassScoreStats.of(1, new double[] {1})));
    }

    private static void assertRelative(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * Math.abs(expected[i]), "index " + i);
        }
    }
}

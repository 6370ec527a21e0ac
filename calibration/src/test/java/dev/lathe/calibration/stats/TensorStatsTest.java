package dev.lathe.calibration.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.calibration.method.CalibrationMethod;
import dev.lathe.calibration.method.CalibrationRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TensorStatsTest {

    private static List<float[]> batches(long seed, int n, int size) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            float[] v = new float[size];
            double scale = 1 + b; // later batches reach further, so the range must grow
            for (int i = 0; i < size; i++) {
                v[i] = (float) (r.nextGaussian() * scale + (b % 3 == 0 ? 0.5 : -0.25));
            }
            out.add(v);
        }
        return out;
    }

    private static TensorStats fold(TensorStats start, List<float[]> batches) {
        TensorStats s = start;
        for (float[] b : batches) {
            s = s.merge(TensorStats.of(b, s.histogram().width()));
        }
        return s;
    }

    @Test
    void shardsMergeIntoExactlyOnePass() {
        List<float[]> all = batches(7, 12, 997);
        TensorStats onePass = fold(TensorStats.empty(), all);
        TensorStats first = fold(TensorStats.empty(), all.subList(0, 5));
        // a second shard starts from the first shard's bin width (StatsCollector.binWidths), nothing else
        TensorStats second = fold(TensorStats.empty(), List.of());
        for (float[] b : all.subList(5, 12)) {
            double w = second.histogram().width() > 0 ? second.histogram().width() : first.histogram().width();
            second = second.merge(TensorStats.of(b, w));
        }
        assertEquals(onePass, first.merge(second), "counts, min, max and every bin bit-identical");
        assertEquals(onePass, second.merge(first), "merging is symmetric");
        assertEquals(12 * 997, onePass.count());
        assertEquals(onePass.count(), onePass.histogram().total());
    }

    @Test
    void theRangeGrowsByWholeBinsOfTheFirstBatchWidth() {
        TensorStats s = TensorStats.of(new float[] {-1f, 0.25f, 1f}, 0);
        double w = 1.0 / TensorStats.INITIAL_BINS;
        assertEquals(w, s.histogram().width());
        TensorStats grown = s.merge(TensorStats.of(new float[] {3f, -2.5f}, s.histogram().width()));
        assertEquals(w, grown.histogram().width(), "the width never changes");
        assertEquals(Math.floor(-2.5 / w), grown.histogram().offset());
        assertEquals((long) Math.floor(3 / w), grown.histogram().offset() + grown.histogram().bins() - 1);
        assertEquals(5, grown.histogram().total());
        assertEquals(-2.5, grown.min());
        assertEquals(3.0, grown.max());
    }

    @Test
    void differentWidthsRefuseToMerge() {
        TensorStats a = TensorStats.of(new float[] {1f}, 0);
        TensorStats b = TensorStats.of(new float[] {2f}, 0);
        assertThrows(IllegalArgumentException.class, () -> a.merge(b));
    }

    @Test
    void allZeroBatchesMergeIntoBinZeroOnceAWidthIsKnown() {
        TensorStats zeros = TensorStats.of(new float[4], 0);
        assertEquals(0, zeros.histogram().width());
        TensorStats s = zeros.merge(TensorStats.of(new float[] {-1f, 2f}, 0));
        assertEquals(6, s.histogram().total());
        assertEquals(4, s.histogram().absoluteCounts()[0]);
        assertEquals(new CalibrationRange(0, 0, true), CalibrationMethod.ENTROPY.range(zeros, 0, true));
    }

    @Test
    void percentileCountsExactly() {
        float[] v = new float[100];
        for (int i = 0; i < 100; i++) {
            v[i] = i + 1;
        }
        TensorStats s = TensorStats.of(v, 0);
        double t = CalibrationMethod.PERCENTILE.range(s, 99, true).max();
        assertTrue(t >= 99 && t < 100, "99 of 100 values inside, the largest outside: " + t);
        // 1% from each side: the first percentile is the value 1 itself (its bin's lower edge, clamped to the minimum)
        CalibrationRange asym = CalibrationMethod.PERCENTILE.range(s, 98, false);
        assertEquals(1.0, asym.min(), asym.toString());
        assertTrue(asym.max() >= 99 && asym.max() < 100, asym.toString());
        assertEquals(new CalibrationRange(1, 100, false), CalibrationMethod.MINMAX.range(s, 0, false));
    }

    @Test
    void aBatchFarBeyondTheFirstRangeIsRefusedNotAllocated() {
        TensorStats s = TensorStats.of(new float[] {1f}, 0);
        TensorStats far = TensorStats.of(new float[] {1e7f}, s.histogram().width());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.merge(far));
        assertTrue(e.getMessage().startsWith("values span"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TensorStats.of(new float[] {1f, 1e7f}, s.histogram().width()));
    }

    @Test
    void nonFiniteValuesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorStats.of(new float[] {1f, Float.NaN}, 0));
        assertTrue(e.getMessage().contains("non-finite value (NaN)"), e.getMessage());
    }
}

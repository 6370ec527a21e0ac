package dev.lathe.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Counts merge exactly across shards, and every accuracy follows from the counts. */
class AccuracyTest {
    private static final int CLASSES = 7;

    @Test
    void mergingShardsEqualsOnePassBitForBit() {
        Random r = new Random(5);
        int images = 503;
        float[] logits = new float[images * CLASSES];
        int[] labels = new int[images];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = r.nextInt(4); // few values, so ties (broken by class index) are common
        }
        for (int i = 0; i < images; i++) {
            labels[i] = r.nextInt(CLASSES);
        }
        FloatBuffer fb = FloatBuffer.wrap(logits);
        Accuracy.Tally whole = new Accuracy.Tally(CLASSES);
        for (int i = 0; i < images; i++) {
            whole.add(fb, i, labels[i]);
        }
        Accuracy merged = Accuracy.empty(CLASSES);
        int[] cuts = {0, 1, 100, 101, 350, images};
        for (int s = 0; s + 1 < cuts.length; s++) {
            Accuracy.Tally shard = new Accuracy.Tally(CLASSES);
            for (int i = cuts[s]; i < cuts[s + 1]; i++) {
                shard.add(fb, i, labels[i]);
            }
            merged = merged.merge(shard.result());
        }
        Accuracy one = whole.result();
        assertEquals(one, merged);
        assertArrayEquals(one.top1Hits(), merged.top1Hits());
        assertArrayEquals(one.top5Hits(), merged.top5Hits());
        assertArrayEquals(one.images(), merged.images());
        assertEquals(images, merged.totalImages());
        assertEquals(Double.doubleToLongBits(one.top1()), Double.doubleToLongBits(merged.top1()));
    }

    @Test
    void accuraciesFollowFromTheCounts() {
        // class 0: 3 of 4 top-1, 4 of 4 top-5; class 1: 1 of 2, 1 of 2; class 2: no images
        Accuracy a = new Accuracy(new long[] {3, 1, 0}, new long[] {4, 1, 0}, new long[] {4, 2, 0});
        assertEquals(4 / 6.0, a.top1());
        assertEquals(5 / 6.0, a.top5());
        assertEquals(0.75, a.top1(0));
        assertTrue(Double.isNaN(a.top1(2)));
        int[] trainCounts = {500, 50, 5};
        assertEquals(0.75, a.many(trainCounts));
        assertEquals(0.5, a.medium(trainCounts));
        assertTrue(Double.isNaN(a.few(trainCounts)), "no validation image in a few-shot class");
        assertTrue(Double.isNaN(Accuracy.empty(3).top1()));
    }

    @Test
    void rankingCountsTiesByClassIndex() {
        Accuracy.Tally t = new Accuracy.Tally(CLASSES);
        FloatBuffer row = FloatBuffer.wrap(new float[] {1, 1, 1, 1, 1, 1, 1});
        t.add(row, 0, 0); // every class ties: label 0 wins the tie
        t.add(row, 0, 6); // label 6 has six classes "above" it: not top-5
        Accuracy a = t.result();
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0, 0}, a.top1Hits());
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0, 0}, a.top5Hits());
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0, 1}, a.images());
    }

    @Test
    void countsAreCopiedAndClassCountsMustAgree() {
        long[] hits = {1, 2};
        Accuracy a = new Accuracy(hits, new long[] {1, 2}, new long[] {2, 2});
        hits[0] = 9;
        a.top1Hits()[1] = 9;
        assertArrayEquals(new long[] {1, 2}, a.top1Hits());
        assertThrows(IllegalArgumentException.class, () -> a.merge(Accuracy.empty(3)));
        assertThrows(IllegalArgumentException.class, () -> new Accuracy(new long[1], new long[2], new long[2]));
    }
}

package dev.lathe.runtime.train;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Top-1 and top-5 hits per class over a labelled set, as counts, so results from shards (threads, machines, the
 * batches of one pass) {@link #merge} exactly; every accuracy is derived from the counts. Arrays are indexed by
 * class and copied in and out, so a value never changes.
 *
 * @param top1Hits per class, images whose label scored highest
 * @param top5Hits per class, images whose label was among the five highest scores
 * @param images per class, images seen
 */
public record Accuracy(long[] top1Hits, long[] top5Hits, long[] images) {

    public Accuracy {
        if (top1Hits.length != images.length || top5Hits.length != images.length) {
            throw new IllegalArgumentException("per-class counts differ in length: top1 " + top1Hits.length
                    + ", top5 " + top5Hits.length + ", images " + images.length);
        }
        top1Hits = top1Hits.clone();
        top5Hits = top5Hits.clone();
        images = images.clone();
    }

    /** No images seen yet, over {@code classes} classes. */
    public static Accuracy empty(int classes) {
        return new Accuracy(new long[classes], new long[classes], new long[classes]);
    }

    @Override
    public long[] top1Hits() {
        return top1Hits.clone();
    }

    @Override
    public long[] top5Hits() {
        return top5Hits.clone();
    }

    @Override
    public long[] images() {
        return images.clone();
    }

    public int classes() {
        return images.length;
    }

    /** The sums of both results' counts, class by class. */
    public Accuracy merge(Accuracy other) {
        if (other.classes() != classes()) {
            throw new IllegalArgumentException("cannot merge accuracy over " + other.classes() + " classes into one over "
                    + classes());
        }
        long[] t1 = top1Hits.clone();
        long[] t5 = top5Hits.clone();
        long[] n = images.clone();
        for (int c = 0; c < n.length; c++) {
            t1[c] += other.top1Hits[c];
            t5[c] += other.top5Hits[c];
            n[c] += other.images[c];
        }
        return new Accuracy(t1, t5, n);
    }

    public long totalImages() {
        return Arrays.stream(images).sum();
    }

    /** Over all images; NaN when there are none. */
    public double top1() {
        return top1Over(c -> true);
    }

    /** Over all images; NaN when there are none. */
    public double top5() {
        return ratio(Arrays.stream(top5Hits).sum(), totalImages());
    }

    /** Top-1 over the images of one class; NaN when the class has none. */
    public double top1(int cls) {
        return ratio(top1Hits[cls], images[cls]);
    }

    /** Top-1 over the images of the classes {@code inGroup} accepts; NaN when those classes have no images. */
    public double top1Over(IntPredicate inGroup) {
        long hits = 0;
        long n = 0;
        for (int c = 0; c < images.length; c++) {
            if (inGroup.test(c)) {
                hits += top1Hits[c];
                n += images[c];
            }
        }
        return ratio(hits, n);
    }

    /** Long-tail "many": classes with more than 100 training images. */
    public double many(int[] trainCounts) {
        return top1Over(c -> trainCounts[c] > 100);
    }

    /** Long-tail "medium": classes with 20 to 100 training images. */
    public double medium(int[] trainCounts) {
        return top1Over(c -> trainCounts[c] >= 20 && trainCounts[c] <= 100);
    }

    /** Long-tail "few": classes with fewer than 20 training images. */
    public double few(int[] trainCounts) {
        return top1Over(c -> trainCounts[c] < 20);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : a / (double) b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Accuracy a && Arrays.equals(top1Hits, a.top1Hits) && Arrays.equals(top5Hits, a.top5Hits)
                && Arrays.equals(images, a.images);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(top1Hits) + Arrays.hashCode(top5Hits)) + Arrays.hashCode(images);
    }

    @Override
    public String toString() {
        return "Accuracy[top1 " + top1() + ", top5 " + top5() + ", " + totalImages() + " images, " + classes()
                + " classes]";
    }

    /** Counts hits batch by batch; not thread-safe (give each thread its own and merge the results). */
    public static final class Tally {
        private final long[] top1Hits;
        private final long[] top5Hits;
        private final long[] images;

        public Tally(int classes) {
            top1Hits = new long[classes];
            top5Hits = new long[classes];
            images = new long[classes];
        }

        /** Scores one image: row {@code row} of [rows, classes] logits against its label. */
        public void add(FloatBuffer logits, int row, int label) {
            int above = rankOfLabel(logits, row, images.length, label);
            top1Hits[label] += above == 0 ? 1 : 0;
            top5Hits[label] += above < 5 ? 1 : 0;
            images[label]++;
        }

        public Accuracy result() {
            return new Accuracy(top1Hits, top5Hits, images);
        }
    }

    /** How many classes score above the label in row {@code row} (ties broken by class index): 0 means top-1. */
    private static int rankOfLabel(FloatBuffer logits, int row, int classes, int label) {
        float target = logits.get(row * classes + label);
        int above = 0;
        for (int c = 0; c < classes; c++) {
            float v = logits.get(row * classes + c);
            if (v > target || (v == target && c < label)) {
                above++;
            }
        }
        return above;
    }
}

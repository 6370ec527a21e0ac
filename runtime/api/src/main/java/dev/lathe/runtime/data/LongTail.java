package dev.lathe.runtime.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Long-tailed subsets and the many/medium/few-shot split used to report on them (SEEDS.md §5.2).
 *
 * <p>The CIFAR-LT selection reproduces the reference code's choice exactly rather than approximating it: it seeds a
 * numpy-legacy Mersenne Twister with 0 ({@link NumpyLegacyRandom}) and, class by class in class order, shuffles the
 * positions of that class's images with numpy's algorithm and keeps the first n_c. The same images as the paper's
 * CIFAR-100-LT are therefore selected from the official files; a test checks this against numpy at full scale.
 */
public final class LongTail {
    /** Classes with more training images than this are "many-shot". */
    public static final int MANY_ABOVE = 100;
    /** Classes with fewer training images than this are "few-shot". */
    public static final int FEW_BELOW = 20;

    public enum Shot { MANY, MEDIUM, FEW }

    private LongTail() {}

    /** n_c = int(imgMax * (1/IF)^(c/(C-1))) for c = 0..C-1 (IF = 100: 500 ... 5 for CIFAR-100). */
    public static int[] cifarCounts(int classes, double imgMax, double imbalanceFactor) {
        if (imbalanceFactor < 1 || classes < 2) {
            throw new IllegalArgumentException("a long-tailed profile needs an imbalance factor >= 1 and >= 2 classes; got "
                    + imbalanceFactor + " and " + classes);
        }
        double ratio = 1.0 / imbalanceFactor;
        int[] n = new int[classes];
        for (int c = 0; c < classes; c++) {
            n[c] = (int) (imgMax * Math.pow(ratio, c / (classes - 1.0)));
        }
        return n;
    }

    /**
     * Indices kept by IMBALANCECIFAR: img_max = N / classes, one seed-0 numpy shuffle per class of that class's
     * positions (in file order), first n_c of each, concatenated in class order.
     */
    public static int[] cifarSelection(int[] labels, int classes, double imbalanceFactor) {
        int[] counts = cifarCounts(classes, labels.length / (double) classes, imbalanceFactor);
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        NumpyLegacyRandom rng = new NumpyLegacyRandom(0);
        List<Integer> keep = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            // np.unique(targets) skips classes with no image, and so does the reference loop's zip.
            if (byClass.get(c).isEmpty()) {
                continue;
            }
            int[] idx = byClass.get(c).stream().mapToInt(Integer::intValue).toArray();
            rng.shuffle(idx);
            for (int k = 0; k < Math.min(counts[c], idx.length); k++) {
                keep.add(idx[k]);
            }
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The shot group of a class with {@code trainImages} training images: many > 100, few < 20, medium otherwise. */
    public static Shot shot(int trainImages) {
        if (trainImages > MANY_ABOVE) {
            return Shot.MANY;
        }
        return trainImages < FEW_BELOW ? Shot.FEW : Shot.MEDIUM;
    }

    /** The shot group of every class, from training-set class counts. */
    public static Shot[] shots(int[] trainCounts) {
        Shot[] s = new Shot[trainCounts.length];
        for (int c = 0; c < s.length; c++) {
            s[c] = shot(trainCounts[c]);
        }
        return s;
    }
}

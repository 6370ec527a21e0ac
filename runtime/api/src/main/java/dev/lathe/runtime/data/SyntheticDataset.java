package dev.lathe.runtime.data;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Learnable synthetic images, reproducible from a seed. Each class has a prototype made of a few random oriented
 * sinusoidal gratings and a coloured blob; a sample is its class prototype, randomly shifted by up to two pixels,
 * scaled in contrast, plus Gaussian noise. A small CNN separates the classes, yet not trivially (noise std equals
 * the prototype's). Optionally long-tailed: class c has n_max * (1/IF)^(c/(C-1)) samples (CIFAR-LT's profile).
 * Images are generated on demand from (seed, index), so the set costs no memory and any subset repeats exactly.
 */
public final class SyntheticDataset implements Dataset {
    private final int classes;
    private final int channels;
    private final int size;
    private final long seed;
    private final float[][] prototypes;
    private final int[] labels;
    private final float noise;

    /**
     * @param perClass samples of the largest class
     * @param imbalance imbalance factor IF (1 = balanced)
     * @param split 0 for train, 1 for validation, ...: a different sample stream over the same prototypes
     */
    public SyntheticDataset(int classes, int channels, int size, int perClass, double imbalance, long seed, int split) {
        if (classes < 2 || perClass < 1 || imbalance < 1) {
            throw new IllegalArgumentException("synthetic data needs >= 2 classes, >= 1 sample per class and an "
                    + "imbalance factor >= 1; got " + classes + ", " + perClass + ", " + imbalance);
        }
        this.classes = classes;
        this.channels = channels;
        this.size = size;
        this.seed = seed * 1_000_003L + split;
        this.noise = 1.0f;
        this.prototypes = new float[classes][];
        Random r = new Random(seed);
        for (int c = 0; c < classes; c++) {
            prototypes[c] = prototype(r);
        }
        List<Integer> l = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            int n = (int) Math.max(1, Math.floor(perClass * Math.pow(1.0 / imbalance, c / (double) (classes - 1))));
            for (int i = 0; i < n; i++) {
                l.add(c);
            }
        }
        labels = l.stream().mapToInt(Integer::intValue).toArray();
    }

    private float[] prototype(Random r) {
        float[] p = new float[channels * size * size];
        for (int k = 0; k < 3; k++) {
            double theta = r.nextDouble() * Math.PI;
            double freq = 0.5 + r.nextDouble() * 1.5;
            double phase = r.nextDouble() * 2 * Math.PI;
            double[] colour = new double[channels];
            for (int ch = 0; ch < channels; ch++) {
                colour[ch] = r.nextGaussian();
            }
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double v = Math.sin(freq * (x * Math.cos(theta) + y * Math.sin(theta)) + phase);
                    for (int ch = 0; ch < channels; ch++) {
                        p[(ch * size + y) * size + x] += (float) (v * colour[ch] / 2);
                    }
                }
            }
        }
        double cy = r.nextDouble() * size;
        double cx = r.nextDouble() * size;
        double radius = size / 4.0;
        for (int ch = 0; ch < channels; ch++) {
            double a = r.nextGaussian();
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double d2 = ((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (radius * radius);
                    p[(ch * size + y) * size + x] += (float) (a * Math.exp(-d2));
                }
            }
        }
        return p;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public long[] imageShape() {
        return new long[] {channels, size, size};
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void fill(int index, FloatBuffer dst) {
        Random r = new Random(seed * 31 + index);
        float[] p = prototypes[labels[index]];
        int dy = r.nextInt(5) - 2;
        int dx = r.nextInt(5) - 2;
        float contrast = (float) (0.8 + 0.4 * r.nextDouble());
        for (int ch = 0; ch < channels; ch++) {
            for (int y = 0; y < size; y++) {
                int sy = Math.floorMod(y + dy, size);
                for (int x = 0; x < size; x++) {
                    int sx = Math.floorMod(x + dx, size);
                    dst.put(contrast * p[(ch * size + sy) * size + sx] + noise * (float) r.nextGaussian());
                }
            }
        }
    }
}

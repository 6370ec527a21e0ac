package dev.lathe.runtime.data;

import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * timm's RandomErasing (timm 0.6.13, {@code timm/data/random_erasing.py}, read as a specification) on one normalised
 * float32 CHW image: with probability {@code probability}, {@code count} boxes (uniform in [minCount, maxCount]),
 * each found in up to 10 attempts: area {@code U(minArea, maxArea) * H * W / count}, aspect {@code exp(U(log
 * minAspect, log maxAspect))}, h = round(sqrt(area * aspect)), w = round(sqrt(area / aspect)) (half to even), kept
 * if w < W and h < H, placed uniformly; its pixels become 0 ({@code const}), one normal draw per channel
 * ({@code rand}) or one per value ({@code pixel}). Draws are made in timm's order.
 */
public final class RandomErasing {
    /** How erased pixels are filled. */
    public enum Mode {
        CONST, RAND, PIXEL;

        public static Mode parse(String s, String flag) {
            for (Mode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(flag + " " + s + ": expected const, rand or pixel");
        }
    }

    private final double probability;
    private final double minArea;
    private final double maxArea;
    private final double logAspectMin;
    private final double logAspectMax;
    private final Mode mode;
    private final int minCount;
    private final int maxCount;

    public RandomErasing(double probability, double minArea, double maxArea, double minAspect, double maxAspect,
            Mode mode, int minCount, int maxCount) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("random erasing probability must be in [0, 1], got " + probability);
        }
        if (!(minArea > 0 && minArea <= maxArea && maxArea <= 1) || !(minAspect > 0 && minAspect <= maxAspect)) {
            throw new IllegalArgumentException("random erasing needs 0 < min area <= max area <= 1 and 0 < min aspect"
                    + " <= max aspect; got area " + minArea + ".." + maxArea + ", aspect " + minAspect + ".."
                    + maxAspect);
        }
        if (minCount < 1 || maxCount < minCount) {
            throw new IllegalArgumentException("random erasing count needs 1 <= min <= max, got " + minCount + ".."
                    + maxCount);
        }
        this.probability = probability;
        this.minArea = minArea;
        this.maxArea = maxArea;
        this.logAspectMin = Math.log(minAspect);
        this.logAspectMax = Math.log(maxAspect);
        this.mode = mode;
        this.minCount = minCount;
        this.maxCount = maxCount;
    }

    /** timm's training use: areas 0.02..1/3, aspect 0.3..1/0.3, count 1..{@code maxCount}. */
    public static RandomErasing timm(double probability, Mode mode, int maxCount) {
        return new RandomErasing(probability, 0.02, 1 / 3.0, 0.3, 1 / 0.3, mode, 1, maxCount);
    }

    public double probability() {
        return probability;
    }

    public Mode mode() {
        return mode;
    }

    public int maxCount() {
        return maxCount;
    }

    /** Erases in place the C x H x W image starting at {@code offset} of {@code img}. */
    public void apply(FloatBuffer img, int offset, int channels, int height, int width, Draws draws) {
        if (draws.random() > probability) {
            return;
        }
        double area = (double) height * width;
        int count = minCount == maxCount ? minCount : draws.randint(minCount, maxCount);
        for (int k = 0; k < count; k++) {
            for (int attempt = 0; attempt < 10; attempt++) {
                double target = draws.uniform(minArea, maxArea) * area / count;
                double aspect = Math.exp(draws.uniform(logAspectMin, logAspectMax));
                int h = (int) Math.rint(Math.sqrt(target * aspect));
                int w = (int) Math.rint(Math.sqrt(target / aspect));
                if (w < width && h < height) {
                    int top = draws.randint(0, height - h);
                    int left = draws.randint(0, width - w);
                    fill(img, offset, channels, height, width, top, left, h, w, draws);
                    break;
                }
            }
        }
    }

    private void fill(FloatBuffer img, int offset, int channels, int height, int width, int top, int left, int h,
            int w, Draws draws) {
        for (int c = 0; c < channels; c++) {
            float colour = mode == Mode.RAND ? draws.normal() : 0f;
            for (int y = top; y < top + h; y++) {
                int row = offset + (c * height + y) * width;
                for (int x = left; x < left + w; x++) {
                    img.put(row + x, mode == Mode.PIXEL ? draws.normal() : colour);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RandomErasing(p " + probability + ", mode " + mode.name().toLowerCase(Locale.ROOT) + ", count "
                + minCount + ".." + maxCount + ")";
    }
}

package dev.lathe.runtime.data;

import java.util.Locale;

/**
 * How timm's augmentation ops (RandAugment, AutoAugment, AugMix) draw: the colour geometric ops fill uncovered pixels
 * with (r, g, b; timm's {@code img_mean}) and their resample filter (BILINEAR or BICUBIC, or null to draw one of them
 * per geometric op as timm's 'random').
 */
public record OpStyle(int[] fill, Interpolation resample) {
    public OpStyle {
        if (fill.length != 3) {
            throw new IllegalArgumentException("the fill colour needs 3 values (r, g, b), got " + fill.length);
        }
        fill = fill.clone();
    }

    /** timm's img_mean for a normalisation mean: scaled to 8 bits and rounded half-even (Python's round). */
    public static OpStyle of(float[] mean, Interpolation resample) {
        int[] f = new int[3];
        for (int c = 0; c < 3; c++) {
            f[c] = (int) Math.min(255, Math.rint(255 * (double) mean[c]));
        }
        return new OpStyle(f, resample);
    }

    @Override
    public int[] fill() {
        return fill.clone();
    }

    @Override
    public String toString() {
        return "fill " + fill[0] + "," + fill[1] + "," + fill[2] + ", resample "
                + (resample == null ? "random" : resample.name().toLowerCase(Locale.ROOT));
    }
}

package dev.lathe.runtime.data;

import java.nio.FloatBuffer;

/**
 * ToTensor + Normalize: 8-bit RGB to float32 CHW, {@code (v / 255 - mean[c]) / std[c]} in float32 as torchvision.
 */
public final class Normalize {
    public static final Normalize IMAGENET = new Normalize(new float[] {0.485f, 0.456f, 0.406f},
            new float[] {0.229f, 0.224f, 0.225f});
    public static final Normalize CIFAR = new Normalize(new float[] {0.4914f, 0.4822f, 0.4465f},
            new float[] {0.2023f, 0.1994f, 0.2010f});

    private final float[] mean;
    private final float[] std;

    public Normalize(float[] mean, float[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("normalize needs 3 means and 3 stds for RGB");
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** The per-channel means (a copy). */
    public float[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviations (a copy). */
    public float[] std() {
        return std.clone();
    }

    /** Writes the image as C*H*W floats at the buffer's position and advances it. */
    public void write(Image im, FloatBuffer dst) {
        int n = im.width() * im.height();
        byte[] rgb = im.rgb();
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < n; p++) {
                dst.put(((rgb[3 * p + c] & 0xff) / 255f - mean[c]) / std[c]);
            }
        }
    }
}

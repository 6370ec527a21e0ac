package dev.lathe.runtime.data;

/**
 * PIL's ImageEnhance adjustments on 8-bit RGB: each blends the image with a degenerate image
 * ({@code out = degenerate + f * (image - degenerate)} in float32, truncated and clipped to 0..255): black for brightness, the mean grey
 * level for contrast, the image's own greyscale for saturation. Greyscale is PIL's "L" conversion (ITU-R 601-2
 * weights in 16-bit fixed point).
 */
public final class ColorAdjust {
    private ColorAdjust() {}

    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static int blend(int degenerate, int value, double f) {
        // PIL's ImagingBlend: single-precision arithmetic, truncated toward zero, clipped.
        float v = degenerate + (float) f * (value - degenerate);
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) v;
    }

    public static Image brightness(Image in, double f) {
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        for (int i = 0; i < src.length; i++) {
            out[i] = (byte) blend(0, src[i] & 0xff, f);
        }
        return new Image(in.width(), in.height(), out);
    }

    public static Image contrast(Image in, double f) {
        byte[] src = in.rgb();
        long sum = 0;
        for (int i = 0; i < src.length; i += 3) {
            sum += luma(src[i] & 0xff, src[i + 1] & 0xff, src[i + 2] & 0xff);
        }
        int mean = (int) (sum / (double) (src.length / 3) + 0.5);
        byte[] out = new byte[src.length];
        for (int i = 0; i < src.length; i++) {
            out[i] = (byte) blend(mean, src[i] & 0xff, f);
        }
        return new Image(in.width(), in.height(), out);
    }

    public static Image saturation(Image in, double f) {
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        for (int i = 0; i < src.length; i += 3) {
            int l = luma(src[i] & 0xff, src[i + 1] & 0xff, src[i + 2] & 0xff);
            for (int c = 0; c < 3; c++) {
                out[i + c] = (byte) blend(l, src[i + c] & 0xff, f);
            }
        }
        return new Image(in.width(), in.height(), out);
    }
}

package dev.lathe.runtime.data;

/**
 * PIL's ImageEnhance adjustments on 8-bit RGB: each blends the image with a degenerate image
 * ({@code out = degenerate + f * (image - degenerate)} in float32, truncated and clipped to 0..255, PIL's
 * ImagingBlend, also {@link #blend(Image, Image, double)}): black for brightness, the mean grey level for contrast,
 * the image's own greyscale for saturation. Greyscale is PIL's "L" conversion (ITU-R 601-2 weights in 16-bit fixed
 * point). Sharpness blends with PIL's SMOOTH filter of the image.
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

    /**
     * PIL's {@code Image.blend(a, b, alpha)}: {@code a + alpha * (b - a)} per channel, with the same float32
     * arithmetic, truncation and clipping.
     */
    public static Image blend(Image a, Image b, double alpha) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("blend needs images of one size, got " + a.width() + "x" + a.height()
                    + " and " + b.width() + "x" + b.height());
        }
        byte[] pa = a.rgb();
        byte[] pb = b.rgb();
        byte[] out = new byte[pa.length];
        for (int i = 0; i < pa.length; i++) {
            out[i] = (byte) blend(pa[i] & 0xff, pb[i] & 0xff, alpha);
        }
        return new Image(a.width(), a.height(), out);
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

    /**
     * ImageEnhance.Sharpness: the degenerate image is {@code ImageFilter.SMOOTH} (3x3 kernel 1,1,1 / 1,5,1 / 1,1,1
     * over 13, each weight a float32 1/13 or 5/13, summed in float32 from 0.5 and truncated, as Pillow 9.4's
     * ImagingFilter3x3), whose one-pixel border is the image itself; images under 3x3 are their own degenerate.
     */
    public static Image sharpness(Image in, double f) {
        int w = in.width();
        int h = in.height();
        byte[] src = in.rgb();
        byte[] smooth = src.clone();
        if (w >= 3 && h >= 3) {
            float k1 = 1f / 13f;
            float k5 = 5f / 13f;
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    for (int c = 0; c < 3; c++) {
                        float ss = 0.5f;
                        // rows y+1, y, y-1 in PIL's order; within a row left, centre, right
                        ss += px(src, w, x - 1, y + 1, c) * k1 + px(src, w, x, y + 1, c) * k1 + px(src, w, x + 1, y + 1, c) * k1;
                        ss += px(src, w, x - 1, y, c) * k1 + px(src, w, x, y, c) * k5 + px(src, w, x + 1, y, c) * k1;
                        ss += px(src, w, x - 1, y - 1, c) * k1 + px(src, w, x, y - 1, c) * k1 + px(src, w, x + 1, y - 1, c) * k1;
                        smooth[3 * (y * w + x) + c] = (byte) (ss <= 0f ? 0 : ss >= 255f ? 255 : (int) ss);
                    }
                }
            }
        }
        byte[] out = new byte[src.length];
        for (int i = 0; i < src.length; i++) {
            out[i] = (byte) blend(smooth[i] & 0xff, src[i] & 0xff, f);
        }
        return new Image(w, h, out);
    }

    private static float px(byte[] src, int w, int x, int y, int c) {
        return src[3 * (y * w + x) + c] & 0xff;
    }
}

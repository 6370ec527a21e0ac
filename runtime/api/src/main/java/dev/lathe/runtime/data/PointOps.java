package dev.lathe.runtime.data;

/**
 * PIL's {@code ImageOps} per-channel lookup-table operations on 8-bit RGB (Pillow 9.4, {@code src/PIL/ImageOps.py}):
 * each builds a 256-entry table per channel and applies it as {@code Image.point} does (entries clipped to 0..255).
 */
public final class PointOps {
    private PointOps() {}

    private static Image lut(Image in, int[][] tables) {
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        for (int i = 0; i < src.length; i += 3) {
            for (int c = 0; c < 3; c++) {
                int v = tables[c][src[i + c] & 0xff];
                out[i + c] = (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
        return new Image(in.width(), in.height(), out);
    }

    private static Image lut(Image in, int[] table) {
        return lut(in, new int[][] {table, table, table});
    }

    private static long[][] histogram(Image in) {
        long[][] h = new long[3][256];
        byte[] src = in.rgb();
        for (int i = 0; i < src.length; i += 3) {
            h[0][src[i] & 0xff]++;
            h[1][src[i + 1] & 0xff]++;
            h[2][src[i + 2] & 0xff]++;
        }
        return h;
    }

    /** ImageOps.autocontrast(image) (cutoff 0): each channel's [lowest, highest] level stretched to [0, 255]. */
    public static Image autocontrast(Image in) {
        long[][] h = histogram(in);
        int[][] t = new int[3][256];
        for (int c = 0; c < 3; c++) {
            int lo = 0;
            while (lo < 255 && h[c][lo] == 0) {
                lo++;
            }
            int hi = 255;
            while (hi > 0 && h[c][hi] == 0) {
                hi--;
            }
            for (int i = 0; i < 256; i++) {
                if (hi <= lo) {
                    t[c][i] = i;
                } else {
                    double scale = 255.0 / (hi - lo);
                    double offset = -lo * scale;
                    t[c][i] = (int) (i * scale + offset);
                }
            }
        }
        return lut(in, t);
    }

    /**
     * ImageOps.equalize(image): per channel, step = (pixels - count of the highest level present) // 255 and
     * level i maps to (step // 2 + pixels below i) // step; a channel with one level, or step 0, is unchanged.
     */
    public static Image equalize(Image in) {
        long[][] h = histogram(in);
        int[][] t = new int[3][256];
        for (int c = 0; c < 3; c++) {
            long total = 0;
            long last = 0;
            int levels = 0;
            for (int i = 0; i < 256; i++) {
                if (h[c][i] != 0) {
                    total += h[c][i];
                    last = h[c][i];
                    levels++;
                }
            }
            long step = levels <= 1 ? 0 : (total - last) / 255;
            long n = step / 2;
            for (int i = 0; i < 256; i++) {
                if (step == 0) {
                    t[c][i] = i;
                } else {
                    t[c][i] = (int) Math.min(n / step, 1 << 20);
                    n += h[c][i];
                }
            }
        }
        return lut(in, t);
    }

    /** ImageOps.invert: 255 - v. */
    public static Image invert(Image in) {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            t[i] = 255 - i;
        }
        return lut(in, t);
    }

    /** ImageOps.posterize(image, bits): keeps the top {@code bits} bits (0..8). */
    public static Image posterize(Image in, int bits) {
        if (bits < 0 || bits > 8) {
            throw new IllegalArgumentException("posterize keeps 0..8 bits, got " + bits);
        }
        int mask = ~((1 << (8 - bits)) - 1);
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            t[i] = i & mask;
        }
        return lut(in, t);
    }

    /** ImageOps.solarize(image, threshold): levels at or above the threshold are inverted. */
    public static Image solarize(Image in, int threshold) {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            t[i] = i < threshold ? i : 255 - i;
        }
        return lut(in, t);
    }

    /** timm's solarize_add: {@code add} is added (saturating at 255) to levels below {@code threshold}. */
    public static Image solarizeAdd(Image in, int add, int threshold) {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            t[i] = i < threshold ? Math.min(255, i + add) : i;
        }
        return lut(in, t);
    }
}

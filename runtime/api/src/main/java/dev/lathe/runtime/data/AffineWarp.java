package dev.lathe.runtime.data;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * PIL's {@code Image.transform(size, AFFINE, (a, b, c, d, e, f), resample, fillcolor=fill)} and
 * {@code Image.rotate(angle, resample, fillcolor=fill)} on 8-bit RGB, bilinear and bicubic (Pillow 9.4,
 * {@code src/libImaging/Geometry.c}: {@code ImagingGenericTransform} with {@code bilinear_filter32RGB} /
 * {@code bicubic_filter32RGB}, and {@code Image.rotate} in {@code src/PIL/Image.py}).
 *
 * <p>Output pixel (x, y) samples the input at {@code (a(x+.5) + b(y+.5) + c, d(x+.5) + e(y+.5) + f)} in double
 * precision; a sample point outside [0, w) x [0, h) keeps the fill colour, neighbours beyond the edge are clamped
 * (rows below the last repeat the previous row's value, as PIL's filters do), and the result is truncated to 8 bits
 * (bicubic clipped to 0..255 first).
 */
public final class AffineWarp {
    private AffineWarp() {}

    /** Image.transform(AFFINE) with {@code resample} BILINEAR or BICUBIC. */
    public static Image transform(Image in, double[] m, Interpolation resample, int[] fill) {
        int w = in.width();
        int h = in.height();
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        boolean cubic = resample == Interpolation.BICUBIC;
        double[] v = new double[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double xin = x + 0.5;
                double yin = y + 0.5;
                double sx = m[0] * xin + m[1] * yin + m[2];
                double sy = m[3] * xin + m[4] * yin + m[5];
                int o = 3 * (y * w + x);
                if (sx < 0.0 || sx >= w || sy < 0.0 || sy >= h) {
                    out[o] = (byte) fill[0];
                    out[o + 1] = (byte) fill[1];
                    out[o + 2] = (byte) fill[2];
                    continue;
                }
                if (cubic) {
                    bicubic(src, w, h, sx, sy, v);
                    for (int c = 0; c < 3; c++) {
                        out[o + c] = (byte) (v[c] <= 0.0 ? 0 : v[c] >= 255.0 ? 255 : (int) v[c]);
                    }
                } else {
                    bilinear(src, w, h, sx, sy, v);
                    for (int c = 0; c < 3; c++) {
                        out[o + c] = (byte) (int) v[c];
                    }
                }
            }
        }
        return new Image(w, h, out);
    }

    private static int clip(int i, int size) {
        return i < 0 ? 0 : i < size ? i : size - 1;
    }

    private static int at(byte[] src, int w, int x, int y, int c) {
        return src[3 * (y * w + x) + c] & 0xff;
    }

    private static void bilinear(byte[] src, int w, int h, double xin, double yin, double[] v) {
        xin -= 0.5;
        yin -= 0.5;
        int x = (int) Math.floor(xin);
        int y = (int) Math.floor(yin);
        double dx = xin - x;
        double dy = yin - y;
        int x0 = clip(x, w);
        int x1 = clip(x + 1, w);
        int yc = clip(y, h);
        for (int c = 0; c < 3; c++) {
            int a = at(src, w, x0, yc, c);
            double v1 = a + (at(src, w, x1, yc, c) - a) * dx;
            double v2;
            if (y + 1 >= 0 && y + 1 < h) {
                int b = at(src, w, x0, y + 1, c);
                v2 = b + (at(src, w, x1, y + 1, c) - b) * dx;
            } else {
                v2 = v1;
            }
            v[c] = v1 + (v2 - v1) * dy;
        }
    }

    /** PIL's BICUBIC macro: a = -0.5 cubic convolution written as a polynomial in d. */
    private static double cubic(double v1, double v2, double v3, double v4, double d) {
        double p1 = v2;
        double p2 = -v1 + v3;
        double p3 = 2 * (v1 - v2) + v3 - v4;
        double p4 = -v1 + v2 - v3 + v4;
        return p1 + d * (p2 + d * (p3 + d * p4));
    }

    private static double row(byte[] src, int w, int yy, int[] xs, int c, double dx) {
        // the integer part of PIL's first pass is exact in int arithmetic, then widened
        int v1 = at(src, w, xs[0], yy, c);
        int v2 = at(src, w, xs[1], yy, c);
        int v3 = at(src, w, xs[2], yy, c);
        int v4 = at(src, w, xs[3], yy, c);
        double p1 = v2;
        double p2 = -v1 + v3;
        double p3 = 2 * (v1 - v2) + v3 - v4;
        double p4 = -v1 + v2 - v3 + v4;
        return p1 + dx * (p2 + dx * (p3 + dx * p4));
    }

    private static void bicubic(byte[] src, int w, int h, double xin, double yin, double[] v) {
        xin -= 0.5;
        yin -= 0.5;
        int x = (int) Math.floor(xin);
        int y = (int) Math.floor(yin);
        double dx = xin - x;
        double dy = yin - y;
        x--;
        y--;
        int[] xs = {clip(x, w), clip(x + 1, w), clip(x + 2, w), clip(x + 3, w)};
        for (int c = 0; c < 3; c++) {
            double v1 = row(src, w, clip(y, h), xs, c, dx);
            double v2 = y + 1 >= 0 && y + 1 < h ? row(src, w, y + 1, xs, c, dx) : v1;
            double v3 = y + 2 >= 0 && y + 2 < h ? row(src, w, y + 2, xs, c, dx) : v2;
            double v4 = y + 3 >= 0 && y + 3 < h ? row(src, w, y + 3, xs, c, dx) : v3;
            v[c] = cubic(v1, v2, v3, v4, dy);
        }
    }

    /**
     * Image.rotate(degrees) counter-clockwise about the centre, same size. Python's {@code angle % 360} comes first
     * (so -15 becomes 345, whose sine and cosine differ in the last bits from those of -15), then PIL's fast paths
     * (0: the image itself; 180, and 90/270 for square images: exact transposes), else the affine matrix with
     * cos/sin rounded to 15 decimals as PIL rounds them.
     */
    public static Image rotate(Image in, double degrees, Interpolation resample, int[] fill) {
        double angle = degrees % 360.0;
        if (angle < 0) {
            angle += 360.0;
        }
        if (angle == 0) {
            return in;
        }
        if (angle == 180) {
            return rotate180(in);
        }
        int w = in.width();
        int h = in.height();
        if ((angle == 90 || angle == 270) && w == h) {
            return quarterTurn(in, angle == 90);
        }
        double rad = -Math.toRadians(angle);
        double cos = round15(Math.cos(rad));
        double sin = round15(Math.sin(rad));
        double negSin = round15(-Math.sin(rad));
        double[] m = {cos, sin, 0.0, negSin, cos, 0.0};
        double cx = w / 2.0;
        double cy = h / 2.0;
        m[2] = m[0] * -cx + m[1] * -cy + m[2];
        m[5] = m[3] * -cx + m[4] * -cy + m[5];
        m[2] += cx;
        m[5] += cy;
        return transform(in, m, resample, fill);
    }

    /** Python's round(v, 15): the double nearest the exact value rounded half-even at the 15th decimal. */
    static double round15(double v) {
        return new BigDecimal(v).setScale(15, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static Image rotate180(Image in) {
        byte[] src = in.rgb();
        int n = src.length / 3;
        byte[] out = new byte[src.length];
        for (int p = 0; p < n; p++) {
            System.arraycopy(src, 3 * p, out, 3 * (n - 1 - p), 3);
        }
        return new Image(in.width(), in.height(), out);
    }

    /** Square images only: 90 degrees counter-clockwise ({@code ccw}) or 270. */
    private static Image quarterTurn(Image in, boolean ccw) {
        int s = in.width();
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                // ROTATE_90 (ccw): out(x, y) = in(s-1-y, x); ROTATE_270: out(x, y) = in(y, s-1-x)
                int sx = ccw ? s - 1 - y : y;
                int sy = ccw ? x : s - 1 - x;
                System.arraycopy(src, 3 * (sy * s + sx), out, 3 * (y * s + x), 3);
            }
        }
        return new Image(s, s, out);
    }
}

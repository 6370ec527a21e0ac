package dev.lathe.runtime.data;

/**
 * Resampling filters of PIL's {@code Image.resize}, which torchvision's Resize uses on PIL images: a separable
 * convolution whose kernel is stretched by the scale factor when downscaling (so downscaling is antialiased) and
 * whose weights are applied in 22-bit fixed point with rounding to 8 bits after each pass, horizontal pass first.
 */
public enum Interpolation {
    BILINEAR(1.0) {
        @Override
        double weight(double x) {
            x = Math.abs(x);
            return x < 1 ? 1 - x : 0;
        }
    },
    BICUBIC(2.0) {
        @Override
        double weight(double x) {
            // Keys' cubic convolution with a = -0.5, PIL's choice.
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1) {
                return ((a + 2) * x - (a + 3)) * x * x + 1;
            }
            if (x < 2) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0;
        }
    };

    private static final int PRECISION_BITS = 32 - 8 - 2;

    final double support;

    Interpolation(double support) {
        this.support = support;
    }

    abstract double weight(double x);

    /** Per output position: first input index, tap count, and fixed-point weights ({@code taps} ints from k*max). */
    private static final class Coefficients {
        final int[] first;
        final int[] count;
        final int[] weights;
        final int max;

        Coefficients(int[] first, int[] count, int[] weights, int max) {
            this.first = first;
            this.count = count;
            this.weights = weights;
            this.max = max;
        }
    }

    private Coefficients coefficients(int inSize, int outSize) {
        double scale = inSize / (double) outSize;
        double filterScale = Math.max(scale, 1.0);
        double reach = support * filterScale;
        int max = (int) Math.ceil(reach) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * max];
        double[] k = new double[max];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = Math.max((int) (center - reach + 0.5), 0);
            int xmax = Math.min((int) (center + reach + 0.5), inSize) - xmin;
            double total = 0;
            for (int x = 0; x < xmax; x++) {
                k[x] = weight((x + xmin - center + 0.5) / filterScale);
                total += k[x];
            }
            for (int x = 0; x < xmax; x++) {
                double w = total != 0 ? k[x] / total : k[x];
                double f = w * (1 << PRECISION_BITS);
                weights[xx * max + x] = (int) (w < 0 ? f - 0.5 : f + 0.5);
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(first, count, weights, max);
    }

    private static int clip8(int v) {
        if (v >= (1 << PRECISION_BITS) << 8) {
            return 255;
        }
        if (v <= 0) {
            return 0;
        }
        return v >> PRECISION_BITS;
    }

    /** Resizes to width x height (PIL's resample; an unchanged dimension is not resampled, as in PIL). */
    public Image resize(Image in, int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("resize to " + width + "x" + height);
        }
        Image im = in;
        if (width != im.width()) {
            Coefficients c = coefficients(im.width(), width);
            byte[] src = im.rgb();
            byte[] dst = new byte[3 * width * im.height()];
            int inW = im.width();
            for (int y = 0; y < im.height(); y++) {
                for (int xx = 0; xx < width; xx++) {
                    int base = xx * c.max;
                    for (int ch = 0; ch < 3; ch++) {
                        int s = 1 << (PRECISION_BITS - 1);
                        for (int x = 0; x < c.count[xx]; x++) {
                            s += (src[3 * (y * inW + c.first[xx] + x) + ch] & 0xff) * c.weights[base + x];
                        }
                        dst[3 * (y * width + xx) + ch] = (byte) clip8(s);
                    }
                }
            }
            im = new Image(width, im.height(), dst);
        }
        if (height != im.height()) {
            Coefficients c = coefficients(im.height(), height);
            byte[] src = im.rgb();
            int w = im.width();
            byte[] dst = new byte[3 * w * height];
            for (int yy = 0; yy < height; yy++) {
                int base = yy * c.max;
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < 3; ch++) {
                        int s = 1 << (PRECISION_BITS - 1);
                        for (int y = 0; y < c.count[yy]; y++) {
                            s += (src[3 * ((c.first[yy] + y) * w + x) + ch] & 0xff) * c.weights[base + y];
                        }
                        dst[3 * (yy * w + x) + ch] = (byte) clip8(s);
                    }
                }
            }
            im = new Image(w, height, dst);
        }
        return im;
    }
}

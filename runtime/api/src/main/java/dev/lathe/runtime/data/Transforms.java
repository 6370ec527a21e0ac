package dev.lathe.runtime.data;

import java.util.List;
import java.util.Random;

/**
 * torchvision's PIL-image transforms with the same semantics (parameter draws, rounding, fallbacks), seeded by the
 * caller's generator instead of torch's global one, so sequences of random choices differ from torchvision's while
 * their distributions and the deterministic arithmetic agree.
 */
public final class Transforms {
    private Transforms() {}

    /** Resize(size): the shorter side becomes {@code size}, the longer int(size * long / short), as torchvision. */
    public static Transform resizeShorter(int size, Interpolation interpolation) {
        return (in, rng) -> {
            int w = in.width();
            int h = in.height();
            int shortSide = Math.min(w, h);
            int longSide = Math.max(w, h);
            int newLong = (int) ((long) size * longSide / (double) shortSide);
            int newW = w <= h ? size : newLong;
            int newH = w <= h ? newLong : size;
            return newW == w && newH == h ? in : interpolation.resize(in, newW, newH);
        };
    }

    /** Resize((height, width)). */
    public static Transform resize(int height, int width, Interpolation interpolation) {
        return (in, rng) -> in.width() == width && in.height() == height ? in : interpolation.resize(in, width, height);
    }

    /**
     * CenterCrop((height, width)): offsets int(round((H - h) / 2)) with Python's half-to-even rounding; an image
     * smaller than the crop is first zero-padded as torchvision does.
     */
    public static Transform centerCrop(int height, int width) {
        return (in, rng) -> {
            Image im = in;
            if (width > im.width() || height > im.height()) {
                int padL = width > im.width() ? (width - im.width()) / 2 : 0;
                int padT = height > im.height() ? (height - im.height()) / 2 : 0;
                int padR = width > im.width() ? (width - im.width() + 1) / 2 : 0;
                int padB = height > im.height() ? (height - im.height() + 1) / 2 : 0;
                im = pad(im, padL, padT, padR, padB);
                if (im.width() == width && im.height() == height) {
                    return im;
                }
            }
            int top = (int) Math.rint((im.height() - height) / 2.0);
            int left = (int) Math.rint((im.width() - width) / 2.0);
            return crop(im, top, left, height, width);
        };
    }

    /** The {@code height x width} region at (top, left); the region lies inside the image. */
    public static Image crop(Image in, int top, int left, int height, int width) {
        if (top < 0 || left < 0 || top + height > in.height() || left + width > in.width()) {
            throw new IllegalArgumentException("crop " + width + "x" + height + " at (" + left + "," + top
                    + ") outside a " + in.width() + "x" + in.height() + " image");
        }
        byte[] out = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            System.arraycopy(in.rgb(), 3 * ((top + y) * in.width() + left), out, 3 * y * width, 3 * width);
        }
        return new Image(width, height, out);
    }

    /** Zero (black) padding. */
    public static Image pad(Image in, int left, int top, int right, int bottom) {
        int w = in.width() + left + right;
        int h = in.height() + top + bottom;
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < in.height(); y++) {
            System.arraycopy(in.rgb(), 3 * y * in.width(), out, 3 * ((y + top) * w + left), 3 * in.width());
        }
        return new Image(w, h, out);
    }

    /** RandomHorizontalFlip(p). */
    public static Transform horizontalFlip(double p) {
        return (in, rng) -> rng.nextDouble() < p ? flip(in) : in;
    }

    static Image flip(Image in) {
        int w = in.width();
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < in.height(); y++) {
            for (int x = 0; x < w; x++) {
                int s = 3 * (y * w + x);
                int d = 3 * (y * w + w - 1 - x);
                out[d] = src[s];
                out[d + 1] = src[s + 1];
                out[d + 2] = src[s + 2];
            }
        }
        return new Image(w, in.height(), out);
    }

    /** RandomCrop(size, padding): zero-pad every side by {@code padding}, then a uniformly placed crop. */
    public static Transform randomCrop(int height, int width, int padding) {
        return (in, rng) -> {
            Image im = padding > 0 ? pad(in, padding, padding, padding, padding) : in;
            if (im.height() < height || im.width() < width) {
                throw new IllegalArgumentException("random crop " + width + "x" + height + " larger than the padded "
                        + im.width() + "x" + im.height() + " image");
            }
            int top = rng.nextInt(im.height() - height + 1);
            int left = rng.nextInt(im.width() - width + 1);
            return crop(im, top, left, height, width);
        };
    }

    /**
     * RandomResizedCrop(size, scale, ratio) ({@code interpolation} null: bilinear or bicubic drawn per image, timm's
     * 'random'): up to 10 draws of an area fraction in {@code scale} and a log-uniform
     * aspect ratio in {@code ratio}; w = round(sqrt(area * r)), h = round(sqrt(area / r)) (half to even); the first
     * that fits is placed uniformly. Otherwise the whole image clamped to the ratio range, centred. Then resized.
     */
    public static Transform randomResizedCrop(int height, int width, double scaleMin, double scaleMax, double ratioMin,
            double ratioMax, Interpolation interpolation) {
        return (in, rng) -> {
            int[] box = randomResizedCropBox(in.width(), in.height(), scaleMin, scaleMax, ratioMin, ratioMax, rng);
            // null: timm's RandomResizedCropAndInterpolation with 'random', a filter drawn per image after the box
            Interpolation f = interpolation != null ? interpolation
                    : rng.nextBoolean() ? Interpolation.BICUBIC : Interpolation.BILINEAR;
            Image c = crop(in, box[0], box[1], box[2], box[3]);
            return c.width() == width && c.height() == height ? c : f.resize(c, width, height);
        };
    }

    /** ImageNet defaults: scale (0.08, 1), ratio (3/4, 4/3), bilinear. */
    public static Transform randomResizedCrop(int size) {
        return randomResizedCrop(size, size, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0, Interpolation.BILINEAR);
    }

    /** (top, left, height, width) of torchvision's RandomResizedCrop.get_params. */
    static int[] randomResizedCropBox(int width, int height, double scaleMin, double scaleMax, double ratioMin,
            double ratioMax, Random rng) {
        double area = (double) width * height;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (scaleMin + (scaleMax - scaleMin) * rng.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * rng.nextDouble());
            int w = (int) Math.rint(Math.sqrt(target * aspect));
            int h = (int) Math.rint(Math.sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < Math.min(ratioMin, ratioMax)) {
            w = width;
            h = (int) Math.rint(w / Math.min(ratioMin, ratioMax));
        } else if (inRatio > Math.max(ratioMin, ratioMax)) {
            h = height;
            w = (int) Math.rint(h * Math.max(ratioMin, ratioMax));
        } else {
            w = width;
            h = height;
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    /**
     * ColorJitter(brightness, contrast, saturation) (no hue): each factor uniform in [max(0, 1 - v), 1 + v] (a zero
     * strength leaves that adjustment out), applied in a random order, each as PIL's ImageEnhance does it.
     */
    public static Transform colorJitter(double brightness, double contrast, double saturation) {
        return (in, rng) -> {
            double[] strength = {brightness, contrast, saturation};
            int[] order = {0, 1, 2};
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            Image im = in;
            for (int k : order) {
                if (strength[k] <= 0) {
                    continue;
                }
                double lo = Math.max(0, 1 - strength[k]);
                double f = lo + (1 + strength[k] - lo) * rng.nextDouble();
                im = k == 0 ? ColorAdjust.brightness(im, f) : k == 1 ? ColorAdjust.contrast(im, f) : ColorAdjust.saturation(im, f);
            }
            return im;
        };
    }

    /** The steps in order. */
    public static Transform compose(List<Transform> steps) {
        List<Transform> copy = List.copyOf(steps);
        return (in, rng) -> {
            Image im = in;
            for (Transform t : copy) {
                im = t.apply(im, rng);
            }
            return im;
        };
    }

    public static Transform compose(Transform... steps) {
        return compose(List.of(steps));
    }
}

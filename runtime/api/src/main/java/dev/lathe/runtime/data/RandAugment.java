package dev.lathe.runtime.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * timm's RandAugment (timm 0.6.13, {@code timm/data/auto_augment.py}: {@code rand_augment_transform},
 * {@code RandAugment}, {@code AugmentOp}, {@code LEVEL_TO_ARG}, {@code NAME_TO_OP}; read as a specification, not
 * copied): per image, {@code n} ops drawn uniformly with replacement from the 15-op set; each applies with
 * probability {@code p} at a magnitude drawn from N(m, mstd) (uniform in [0, m] when mstd is infinite; fixed when
 * mstd is 0) clipped to [0, mmax] (default 10), mapped to the op's argument as timm's level functions do, signed ops
 * negated with probability 1/2, and run as the Pillow call timm makes ({@link PointOps}, {@link ColorAdjust},
 * {@link AffineWarp}). The draws come from the caller's generator in timm's order (apply?, magnitude, sign,
 * resample), so an image's augmentation is a function of that generator's seed. The ops ({@link Op},
 * {@link #apply(Op, Image, double, boolean, Interpolation, int[], double)}) are shared with {@link AutoAugment}.
 *
 * <p>Geometric ops use the fill colour timm's {@code transforms_imagenet_train} passes ({@code img_mean}: the
 * normalisation mean times 255, rounded; (124, 116, 104) for ImageNet) and the resample filter of the training
 * interpolation, or, for {@code random}, bilinear or bicubic drawn per op call as timm's {@code _interpolation} does.
 */
public final class RandAugment implements DrawnTransform {
    static final double LEVEL_DENOM = 10.0;

    /**
     * timm's ops; {@code increasing} selects RandAugment's _RAND_INCREASING_TRANSFORMS, otherwise _RAND_TRANSFORMS;
     * AutoAugment's policies name their own.
     */
    public enum Op {
        AUTO_CONTRAST("AutoContrast"),
        EQUALIZE("Equalize"),
        INVERT("Invert"),
        ROTATE("Rotate"),
        POSTERIZE("Posterize"),
        POSTERIZE_INCREASING("PosterizeIncreasing"),
        POSTERIZE_ORIGINAL("PosterizeOriginal"),
        SOLARIZE("Solarize"),
        SOLARIZE_INCREASING("SolarizeIncreasing"),
        SOLARIZE_ADD("SolarizeAdd"),
        COLOR("Color"),
        COLOR_INCREASING("ColorIncreasing"),
        CONTRAST("Contrast"),
        CONTRAST_INCREASING("ContrastIncreasing"),
        BRIGHTNESS("Brightness"),
        BRIGHTNESS_INCREASING("BrightnessIncreasing"),
        SHARPNESS("Sharpness"),
        SHARPNESS_INCREASING("SharpnessIncreasing"),
        SHEAR_X("ShearX"),
        SHEAR_Y("ShearY"),
        TRANSLATE_X_REL("TranslateXRel"),
        TRANSLATE_Y_REL("TranslateYRel");

        /** timm's name. */
        public final String timmName;

        Op(String timmName) {
            this.timmName = timmName;
        }

        public static Op byTimmName(String name) {
            for (Op op : values()) {
                if (op.timmName.equals(name)) {
                    return op;
                }
            }
            throw new IllegalArgumentException("unknown augmentation op " + name);
        }

        boolean geometric() {
            return this == ROTATE || this == SHEAR_X || this == SHEAR_Y || this == TRANSLATE_X_REL
                    || this == TRANSLATE_Y_REL;
        }

        /** Whether timm's level function draws a random sign (_randomly_negate). */
        boolean signed() {
            return geometric() || this == COLOR_INCREASING || this == CONTRAST_INCREASING
                    || this == BRIGHTNESS_INCREASING || this == SHARPNESS_INCREASING;
        }
    }

    static final List<Op> RAND_TRANSFORMS = List.of(Op.AUTO_CONTRAST, Op.EQUALIZE, Op.INVERT, Op.ROTATE, Op.POSTERIZE,
            Op.SOLARIZE, Op.SOLARIZE_ADD, Op.COLOR, Op.CONTRAST, Op.BRIGHTNESS, Op.SHARPNESS, Op.SHEAR_X, Op.SHEAR_Y,
            Op.TRANSLATE_X_REL, Op.TRANSLATE_Y_REL);
    static final List<Op> RAND_INCREASING_TRANSFORMS = List.of(Op.AUTO_CONTRAST, Op.EQUALIZE, Op.INVERT, Op.ROTATE,
            Op.POSTERIZE_INCREASING, Op.SOLARIZE_INCREASING, Op.SOLARIZE_ADD, Op.COLOR_INCREASING,
            Op.CONTRAST_INCREASING, Op.BRIGHTNESS_INCREASING, Op.SHARPNESS_INCREASING, Op.SHEAR_X, Op.SHEAR_Y,
            Op.TRANSLATE_X_REL, Op.TRANSLATE_Y_REL);

    /**
     * A parsed {@code --aa} string in timm's grammar: {@code rand} then dash-separated sections in any order,
     * {@code m<int>} magnitude (default 10), {@code n<int>} layers (2), {@code p<float>} per-op probability (0.5),
     * {@code mstd<float>} magnitude noise (0; above 100 means uniform), {@code mmax<int>} magnitude bound (10),
     * {@code inc<0|1>} increasing op set (0).
     *
     * @param magnitudeStd {@code Double.POSITIVE_INFINITY} for uniform sampling
     */
    public record Spec(int magnitude, int numLayers, double prob, double magnitudeStd, int magnitudeMax,
            boolean increasing) implements AugmentSpec {
        public Spec {
            if (numLayers < 0 || magnitude < 0 || magnitudeMax < 0 || !(prob >= 0 && prob <= 1)
                    || !(magnitudeStd >= 0)) {
                throw new IllegalArgumentException("RandAugment needs m, n, mmax >= 0, p in [0, 1] and mstd >= 0; got m="
                        + magnitude + " n=" + numLayers + " mmax=" + magnitudeMax + " p=" + prob + " mstd="
                        + magnitudeStd);
            }
        }

        /**
         * Parses {@code spec}, a non-blank string whose first section is {@code rand} ({@link AugmentSpec#parse}
         * dispatches here), the value of {@code flag}, named in errors. Unlike timm, which skips sections without a
         * number and reads {@code inc0} as true (it tests {@code bool("0")}), every section must be one of the keys
         * above with a number, and {@code inc0} means the default set.
         */
        static Spec parse(String spec, String flag) {
            String[] parts = spec.trim().split("-", -1);
            int m = 10;
            int n = 2;
            double p = 0.5;
            double mstd = 0;
            int mmax = 10;
            boolean inc = false;
            for (int i = 1; i < parts.length; i++) {
                String s = parts[i];
                String key = sectionKey(s);
                String val = s.substring(key.length());
                try {
                    switch (key) {
                        case "m" -> m = Integer.parseInt(val);
                        case "n" -> n = Integer.parseInt(val);
                        case "p" -> p = Double.parseDouble(val);
                        case "mstd" -> {
                            mstd = Double.parseDouble(val);
                            if (mstd > 100) {
                                mstd = Double.POSITIVE_INFINITY;
                            }
                        }
                        case "mmax" -> mmax = Integer.parseInt(val);
                        case "inc" -> inc = Integer.parseInt(val) != 0;
                        default -> throw new IllegalArgumentException(flag + " " + spec + ": unknown section '" + s
                                + "'" + GRAMMAR);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(flag + " " + spec + ": section '" + s + "' needs a "
                            + (key.equals("p") || key.equals("mstd") ? "number" : "whole number") + " after '" + key
                            + "'" + GRAMMAR);
                }
            }
            try {
                return new Spec(m, n, p, mstd, mmax, inc);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + " " + spec + ": " + e.getMessage());
            }
        }

        /** timm's split of a section into key and number: the key is everything before the first digit. */
        static String sectionKey(String section) {
            int d = 0;
            while (d < section.length() && !Character.isDigit(section.charAt(d))) {
                d++;
            }
            return section.substring(0, d);
        }

        @Override
        public DrawnTransform transform(OpStyle style) {
            return new RandAugment(this, style);
        }

        /** The canonical string (parses back to this spec). */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("rand-m").append(magnitude).append("-n").append(numLayers);
            b.append("-p").append(fmt(prob));
            if (magnitudeStd > 0) {
                b.append("-mstd").append(Double.isInfinite(magnitudeStd) ? "101" : fmt(magnitudeStd));
            }
            if (magnitudeMax != 10) {
                b.append("-mmax").append(magnitudeMax);
            }
            return b.append("-inc").append(increasing ? 1 : 0).toString();
        }

        static String fmt(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
        }
    }

    private final Spec spec;
    private final List<AugmentOp> ops;
    private final OpStyle style;

    public RandAugment(Spec spec, OpStyle style) {
        this.spec = spec;
        this.ops = (spec.increasing() ? RAND_INCREASING_TRANSFORMS : RAND_TRANSFORMS).stream()
                .map(op -> new AugmentOp(op, spec.prob(), spec.magnitude(), spec.magnitudeStd(), spec.magnitudeMax(),
                        AugmentOp.TRANSLATE_PCT))
                .toList();
        this.style = style;
    }

    public Spec spec() {
        return spec;
    }

    @Override
    public Image apply(Image in, Draws d) {
        Image im = in;
        List<AugmentOp> chosen = new ArrayList<>(spec.numLayers());
        for (int i = 0; i < spec.numLayers(); i++) {
            chosen.add(ops.get(d.index(ops.size()))); // numpy's choice with replacement
        }
        for (AugmentOp op : chosen) {
            im = op.apply(im, d, style);
        }
        return im;
    }

    /** One op at a given (noised, clipped) magnitude and sign: timm's level function, then its Pillow call. */
    public static Image apply(Op op, Image im, double m, boolean negate, Interpolation resample, int[] fill,
            double translatePct) {
        double s = negate ? -1 : 1;
        double level = m / LEVEL_DENOM;
        return switch (op) {
            case AUTO_CONTRAST -> PointOps.autocontrast(im);
            case EQUALIZE -> PointOps.equalize(im);
            case INVERT -> PointOps.invert(im);
            case ROTATE -> AffineWarp.rotate(im, s * (level * 30.0), resample, fill);
            case POSTERIZE -> posterize(im, (int) (level * 4));
            case POSTERIZE_INCREASING -> posterize(im, 4 - (int) (level * 4));
            case POSTERIZE_ORIGINAL -> posterize(im, (int) (level * 4) + 4);
            case SOLARIZE -> PointOps.solarize(im, Math.min(256, (int) (level * 256)));
            case SOLARIZE_INCREASING -> PointOps.solarize(im, 256 - Math.min(256, (int) (level * 256)));
            // 0.6.13 has no cap (later timm caps the addend at 128); it matters only above m 11.6 (with mmax)
            case SOLARIZE_ADD -> PointOps.solarizeAdd(im, (int) (level * 110), 128);
            case COLOR -> ColorAdjust.saturation(im, level * 1.8 + 0.1);
            case CONTRAST -> ColorAdjust.contrast(im, level * 1.8 + 0.1);
            case BRIGHTNESS -> ColorAdjust.brightness(im, level * 1.8 + 0.1);
            case SHARPNESS -> ColorAdjust.sharpness(im, level * 1.8 + 0.1);
            case COLOR_INCREASING -> ColorAdjust.saturation(im, increasing(level, s));
            case CONTRAST_INCREASING -> ColorAdjust.contrast(im, increasing(level, s));
            case BRIGHTNESS_INCREASING -> ColorAdjust.brightness(im, increasing(level, s));
            case SHARPNESS_INCREASING -> ColorAdjust.sharpness(im, increasing(level, s));
            case SHEAR_X -> AffineWarp.transform(im, new double[] {1, s * (level * 0.3), 0, 0, 1, 0}, resample, fill);
            case SHEAR_Y -> AffineWarp.transform(im, new double[] {1, 0, 0, s * (level * 0.3), 1, 0}, resample, fill);
            case TRANSLATE_X_REL -> AffineWarp.transform(im,
                    new double[] {1, 0, s * (level * translatePct) * im.width(), 0, 1, 0}, resample, fill);
            case TRANSLATE_Y_REL -> AffineWarp.transform(im,
                    new double[] {1, 0, 0, 0, 1, s * (level * translatePct) * im.height()}, resample, fill);
        };
    }

    /** _enhance_increasing_level_to_arg: 1 +- 0.9 level, kept >= 0.1. */
    private static double increasing(double level, double sign) {
        return Math.max(0.1, 1.0 + sign * (level * .9));
    }

    /** timm's posterize: 8 bits or more is the image; PIL's mask for fewer than 0 bits clears all, as 0 does. */
    private static Image posterize(Image im, int bits) {
        return bits >= 8 ? im : PointOps.posterize(im, Math.max(0, bits));
    }

    @Override
    public String toString() {
        return "RandAugment(" + spec + ", " + style + ")";
    }
}

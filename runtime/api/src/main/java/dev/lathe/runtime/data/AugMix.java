package dev.lathe.runtime.data;

import java.util.List;

/**
 * timm's AugMix as a plain augmentation (timm 0.6.13, {@code timm/data/auto_augment.py}:
 * {@code augment_and_mix_transform}, {@code AugMixAugment}, {@code augmix_ops}, {@code _AUGMIX_TRANSFORMS}; read as a
 * specification, not copied). Per image: mixing weights from Dirichlet(alpha, ..., alpha) over {@code width} chains
 * and a blend factor m from Beta(alpha, alpha), both rounded to float32 as timm does; each chain is {@code depth} ops
 * (1 to 3 drawn per chain when depth is not positive) chosen uniformly with replacement from the 13 AugMix ops and
 * applied to the original image as {@link AugmentOp}s at probability 1 (magnitude uniform in [0, m] by default, or
 * N(m, mstd), clipped to [0, 10]; relative translations up to 0.3, timm's AugMix {@code translate_pct}).
 *
 * <p>Default mixing: the chains' outputs are accumulated in float32, each times its weight, clipped to [0, 255],
 * truncated to 8 bits, and PIL-blended with the original by m. Blended mixing ({@code b1}): timm's
 * {@code _calc_blended_weights} turns weights times m into successive blend factors (in float64 from float32 weights,
 * then float32), and each chain's output is PIL-blended into the running image. Draws come in timm's order: the
 * Dirichlet vector, the Beta value, then per chain the depth, the ops and each op's draws. timm's default path
 * accumulates into a (width, height, 3) array and so takes square images only (its training crops are); this one
 * works per pixel and equals it on square images.
 *
 * <p>timm trains AugMix with split batch norm and a Jensen-Shannon loss over clean and augmented copies
 * ({@code --aug-splits}, {@code --jsd-loss}); without splits, {@code --aa augmix} is this plain augmentation in timm
 * too, and that is all Lathe builds.
 */
public final class AugMix implements DrawnTransform {
    /** timm's _AUGMIX_TRANSFORMS, in its order (the index numpy's choice draws). */
    static final List<RandAugment.Op> AUGMIX_TRANSFORMS = List.of(RandAugment.Op.AUTO_CONTRAST,
            RandAugment.Op.COLOR_INCREASING, RandAugment.Op.CONTRAST_INCREASING, RandAugment.Op.BRIGHTNESS_INCREASING,
            RandAugment.Op.SHARPNESS_INCREASING, RandAugment.Op.EQUALIZE, RandAugment.Op.ROTATE,
            RandAugment.Op.POSTERIZE_INCREASING, RandAugment.Op.SOLARIZE_INCREASING, RandAugment.Op.SHEAR_X,
            RandAugment.Op.SHEAR_Y, RandAugment.Op.TRANSLATE_X_REL, RandAugment.Op.TRANSLATE_Y_REL);

    /** timm's transforms_imagenet_train sets translate_pct 0.3 for AugMix (RandAugment's default is 0.45). */
    static final double TRANSLATE_PCT = 0.3;

    /**
     * A parsed {@code --aa} AugMix string in timm's grammar: {@code augmix} then dash-separated sections in any order,
     * {@code m<int>} magnitude (default 3), {@code w<int>} chains (3), {@code d<int>} ops per chain (default and 0: 1
     * to 3 drawn per chain; stored as -1), {@code mstd<float>} magnitude noise (default: uniform in [0, m], stored as
     * infinity; 0 fixes the magnitude; above 100 stays a normal's deviation, as timm's AugMix parser leaves it),
     * {@code a<float>} Dirichlet and Beta alpha (1), {@code b<0|1>} blended mixing (0).
     */
    public record Spec(int magnitude, int width, int depth, double magnitudeStd, double alpha, boolean blended)
            implements AugmentSpec {
        public Spec {
            if (magnitude < 0 || width < 1 || !(magnitudeStd >= 0) || !(alpha > 0 && Double.isFinite(alpha))) {
                throw new IllegalArgumentException("AugMix needs m >= 0, w >= 1, mstd >= 0 and a finite a > 0; got m="
                        + magnitude + " w=" + width + " mstd=" + magnitudeStd + " a=" + alpha);
            }
            depth = depth > 0 ? depth : -1; // timm: a positive depth is fixed, anything else is drawn per chain
        }

        /**
         * Parses {@code spec}, a non-blank string whose first section is {@code augmix} ({@link AugmentSpec#parse}
         * dispatches here), the value of {@code flag}, named in errors. Unlike timm, which skips sections without a
         * number, keeps the first of repeated {@code mstd}s and reads {@code b0} as true (it tests {@code bool("0")}),
         * every section must be one of the keys above with a number, and {@code b0} means the default mixing.
         */
        static Spec parse(String spec, String flag) {
            String[] parts = spec.trim().split("-", -1);
            int m = 3;
            int w = 3;
            int d = -1;
            double mstd = Double.POSITIVE_INFINITY;
            double a = 1.0;
            boolean b = false;
            for (int i = 1; i < parts.length; i++) {
                String s = parts[i];
                String key = RandAugment.Spec.sectionKey(s);
                String val = s.substring(key.length());
                try {
                    switch (key) {
                        case "m" -> m = Integer.parseInt(val);
                        case "w" -> w = Integer.parseInt(val);
                        case "d" -> d = Integer.parseInt(val);
                        case "mstd" -> mstd = Double.parseDouble(val);
                        case "a" -> a = Double.parseDouble(val);
                        case "b" -> b = switch (val) {
                            case "0" -> false;
                            case "1" -> true;
                            default -> throw new NumberFormatException(val);
                        };
                        default -> throw new IllegalArgumentException(flag + " " + spec + ": unknown section '" + s
                                + "' (AugMix takes m, w, d, mstd, a and b)" + GRAMMAR);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(flag + " " + spec + ": section '" + s + "' needs "
                            + (key.equals("b") ? "0 or 1" : key.equals("a") || key.equals("mstd") ? "a number"
                                    : "a whole number") + " after '" + key + "'" + GRAMMAR);
                }
            }
            try {
                return new Spec(m, w, d, mstd, a, b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + " " + spec + ": " + e.getMessage() + GRAMMAR);
            }
        }

        @Override
        public DrawnTransform transform(OpStyle style) {
            return new AugMix(this, style);
        }

        /** The canonical string (parses back to this spec); the default uniform magnitude has no mstd section. */
        @Override
        public String toString() {
            return "augmix-m" + magnitude + "-w" + width + (depth > 0 ? "-d" + depth : "")
                    + (Double.isInfinite(magnitudeStd) ? "" : "-mstd" + RandAugment.Spec.fmt(magnitudeStd)) + "-a"
                    + RandAugment.Spec.fmt(alpha) + "-b" + (blended ? 1 : 0);
        }
    }

    private final Spec spec;
    private final List<AugmentOp> ops;
    private final OpStyle style;

    public AugMix(Spec spec, OpStyle style) {
        this.spec = spec;
        this.ops = AUGMIX_TRANSFORMS.stream().map(op -> new AugmentOp(op, 1.0, spec.magnitude(), spec.magnitudeStd(), 0,
                TRANSLATE_PCT)).toList();
        this.style = style;
    }

    public Spec spec() {
        return spec;
    }

    @Override
    public Image apply(Image in, Draws d) {
        double[] dirichlet = d.dirichlet(spec.alpha(), spec.width());
        float[] weights = new float[dirichlet.length];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) dirichlet[i];
        }
        float m = (float) d.beta(spec.alpha());
        return spec.blended() ? mixBlended(in, weights, m, d) : mixBasic(in, weights, m, d);
    }

    /** timm's _apply_basic: float32 weighted sum of the chains, clipped, truncated, blended with the original by m. */
    private Image mixBasic(Image in, float[] weights, float m, Draws d) {
        float[] mixed = new float[in.rgb().length];
        for (float w : weights) {
            byte[] aug = chain(in, d).rgb();
            for (int i = 0; i < mixed.length; i++) {
                mixed[i] += w * (aug[i] & 0xff);
            }
        }
        byte[] out = new byte[mixed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (int) Math.min(Math.max(mixed[i], 0f), 255f);
        }
        return ColorAdjust.blend(in, new Image(in.width(), in.height(), out), m);
    }

    /** timm's _apply_blended: each chain's output PIL-blended into the running image by its blended weight. */
    private Image mixBlended(Image in, float[] weights, float m, Draws d) {
        Image im = in;
        for (float w : blendedWeights(weights, m)) {
            im = ColorAdjust.blend(im, chain(in, d), w);
        }
        return im;
    }

    /**
     * timm's _calc_blended_weights: weights times m in float32; from the last, each over the remaining mass (numpy
     * float64 arithmetic on the float32 values), the result rounded to float32.
     */
    static float[] blendedWeights(float[] weights, float m) {
        float[] out = new float[weights.length];
        double cump = 1.0;
        for (int i = weights.length - 1; i >= 0; i--) {
            double alpha = (weights[i] * m) / cump;
            cump *= 1 - alpha;
            out[i] = (float) alpha;
        }
        return out;
    }

    /** One chain: its depth, its ops (numpy's choice with replacement, all drawn first), then the ops in turn. */
    private Image chain(Image in, Draws d) {
        int depth = spec.depth() > 0 ? spec.depth() : d.randint(1, 3);
        AugmentOp[] chosen = new AugmentOp[depth];
        for (int i = 0; i < depth; i++) {
            chosen[i] = ops.get(d.index(ops.size()));
        }
        Image im = in;
        for (AugmentOp op : chosen) {
            im = op.apply(im, d, style);
        }
        return im;
    }

    @Override
    public String toString() {
        return "AugMix(" + spec + ", " + style + ")";
    }
}

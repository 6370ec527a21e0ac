package dev.lathe.runtime.data;

import java.util.Arrays;
import java.util.List;

/**
 * timm's AutoAugment (timm 0.6.13, {@code timm/data/auto_augment.py}: {@code auto_augment_transform},
 * {@code auto_augment_policy_v0/v0r/original/originalr}, {@code AutoAugment}; read as a specification, not copied):
 * per image, one of the policy's 25 sub-policies drawn uniformly, then each of its two ops applied with its own
 * probability at its own magnitude (noised when mstd is set) as {@link AugmentOp}, on the same Pillow-exact ops as
 * {@link RandAugment}, with the same fill and resample, drawing in timm's order (sub-policy, then per op: apply?,
 * magnitude, sign, resample).
 */
public final class AutoAugment implements DrawnTransform {
    /** ImageNet v0 policy of the TPU EfficientNet implementation: (op, probability, magnitude) pairs. */
    private static final String V0_TABLE = """
            Equalize 0.8 1, ShearY 0.8 4
            Color 0.4 9, Equalize 0.6 3
            Color 0.4 1, Rotate 0.6 8
            Solarize 0.8 3, Equalize 0.4 7
            Solarize 0.4 2, Solarize 0.6 2
            Color 0.2 0, Equalize 0.8 8
            Equalize 0.4 8, SolarizeAdd 0.8 3
            ShearX 0.2 9, Rotate 0.6 8
            Color 0.6 1, Equalize 1.0 2
            Invert 0.4 9, Rotate 0.6 0
            Equalize 1.0 9, ShearY 0.6 3
            Color 0.4 7, Equalize 0.6 0
            Posterize 0.4 6, AutoContrast 0.4 7
            Solarize 0.6 8, Color 0.6 9
            Solarize 0.2 4, Rotate 0.8 9
            Rotate 1.0 7, TranslateYRel 0.8 9
            ShearX 0.0 0, Solarize 0.8 4
            ShearY 0.8 0, Color 0.6 4
            Color 1.0 0, Rotate 0.6 2
            Equalize 0.8 4, Equalize 0.0 8
            Equalize 1.0 4, AutoContrast 0.6 2
            ShearY 0.4 7, SolarizeAdd 0.6 7
            Posterize 0.8 2, Solarize 0.6 10
            Solarize 0.6 8, Equalize 0.6 1
            Color 0.8 6, Rotate 0.4 5
            """;

    /** ImageNet policy of the AutoAugment paper (arXiv 1805.09501). */
    private static final String ORIGINAL_TABLE = """
            PosterizeOriginal 0.4 8, Rotate 0.6 9
            Solarize 0.6 5, AutoContrast 0.6 5
            Equalize 0.8 8, Equalize 0.6 3
            PosterizeOriginal 0.6 7, PosterizeOriginal 0.6 6
            Equalize 0.4 7, Solarize 0.2 4
            Equalize 0.4 4, Rotate 0.8 8
            Solarize 0.6 3, Equalize 0.6 7
            PosterizeOriginal 0.8 5, Equalize 1.0 2
            Rotate 0.2 3, Solarize 0.6 8
            Equalize 0.6 8, PosterizeOriginal 0.4 6
            Rotate 0.8 8, Color 0.4 0
            Rotate 0.4 9, Equalize 0.6 2
            Equalize 0.0 7, Equalize 0.8 8
            Invert 0.6 4, Equalize 1.0 8
            Color 0.6 4, Contrast 1.0 8
            Rotate 0.8 8, Color 1.0 2
            Color 0.8 8, Solarize 0.8 7
            Sharpness 0.4 7, Invert 0.6 8
            ShearX 0.6 5, Equalize 1.0 9
            Color 0.4 0, Equalize 0.6 3
            Equalize 0.4 7, Solarize 0.2 4
            Solarize 0.6 5, AutoContrast 0.6 5
            Invert 0.6 4, Equalize 1.0 8
            Color 0.6 4, Contrast 1.0 8
            Equalize 0.8 8, Equalize 0.6 3
            """;

    /** timm's four policies; the {@code r} variants swap in the research Posterize (bits dropped grow with level). */
    public enum Policy {
        V0("v0", V0_TABLE),
        V0R("v0r", V0_TABLE.replace("Posterize ", "PosterizeIncreasing ")),
        ORIGINAL("original", ORIGINAL_TABLE),
        ORIGINALR("originalr", ORIGINAL_TABLE.replace("PosterizeOriginal", "PosterizeIncreasing"));

        /** timm's name. */
        public final String timmName;
        private final String table;

        Policy(String timmName, String table) {
            this.timmName = timmName;
            this.table = table;
        }

        static Policy byTimmName(String name) {
            for (Policy p : values()) {
                if (p.timmName.equals(name)) {
                    return p;
                }
            }
            return null;
        }

        /** The sub-policies as timm builds them: ops with the table's probability and magnitude, noised by mstd. */
        List<List<AugmentOp>> subPolicies(double magnitudeStd) {
            return table.lines().map(line -> Arrays.stream(line.split(", ")).map(step -> {
                String[] f = step.split(" ");
                return new AugmentOp(RandAugment.Op.byTimmName(f[0]), Double.parseDouble(f[1]),
                        Integer.parseInt(f[2]), magnitudeStd, 0, AugmentOp.TRANSLATE_PCT);
            }).toList()).toList();
        }
    }

    /**
     * A parsed {@code --aa} AutoAugment string in timm's grammar: the policy name then dash-separated sections, of
     * which timm knows one, {@code mstd<float>} magnitude noise (default 0; a value that overflows to infinity, such
     * as 1e400, samples uniformly in [0, m] as timm does; unlike RandAugment's, mstd above 100 stays a normal's
     * standard deviation).
     */
    public record Spec(Policy policy, double magnitudeStd) implements AugmentSpec {
        public Spec {
            if (policy == null || !(magnitudeStd >= 0)) {
                throw new IllegalArgumentException("AutoAugment needs a policy and mstd >= 0; got " + policy + ", mstd="
                        + magnitudeStd);
            }
        }

        /**
         * Parses {@code spec}, a non-blank string that is not RandAugment or AugMix ({@link AugmentSpec#parse}
         * dispatches here), the value of {@code flag}, named in errors. Unlike timm, which skips sections without a
         * number and keeps the first of repeated {@code mstd}s, every section must be {@code mstd} with a number,
         * once.
         */
        static Spec parse(String spec, String flag) {
            String[] parts = spec.trim().split("-", -1);
            Policy policy = Policy.byTimmName(parts[0]);
            if (policy == null) {
                throw new IllegalArgumentException(flag + " " + spec + ": unknown augmentation '" + parts[0] + "'"
                        + AugmentSpec.GRAMMAR);
            }
            Double mstd = null;
            for (int i = 1; i < parts.length; i++) {
                String s = parts[i];
                if (!RandAugment.Spec.sectionKey(s).equals("mstd")) {
                    throw new IllegalArgumentException(flag + " " + spec + ": unknown section '" + s + "' (AutoAugment"
                            + " takes only mstd)" + AugmentSpec.GRAMMAR);
                }
                if (mstd != null) {
                    throw new IllegalArgumentException(flag + " " + spec + ": mstd is given twice"
                            + AugmentSpec.GRAMMAR);
                }
                try {
                    mstd = Double.parseDouble(s.substring("mstd".length()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(flag + " " + spec + ": section '" + s + "' needs a number after"
                            + " 'mstd'" + AugmentSpec.GRAMMAR);
                }
            }
            return new Spec(policy, mstd == null ? 0 : mstd); // no '-' or NaN gets here: mstd >= 0
        }

        @Override
        public DrawnTransform transform(OpStyle style) {
            return new AutoAugment(this, style);
        }

        /** The canonical string (parses back to this spec). */
        @Override
        public String toString() {
            return policy.timmName + (magnitudeStd == 0 ? "" : "-mstd"
                    + (Double.isInfinite(magnitudeStd) ? "1e400" : RandAugment.Spec.fmt(magnitudeStd)));
        }
    }

    private final Spec spec;
    private final List<List<AugmentOp>> subPolicies;
    private final OpStyle style;

    public AutoAugment(Spec spec, OpStyle style) {
        this.spec = spec;
        this.subPolicies = spec.policy().subPolicies(spec.magnitudeStd());
        this.style = style;
    }

    public Spec spec() {
        return spec;
    }

    @Override
    public Image apply(Image in, Draws d) {
        Image im = in;
        for (AugmentOp op : subPolicies.get(d.index(subPolicies.size()))) { // random.choice
            im = op.apply(im, d, style);
        }
        return im;
    }

    @Override
    public String toString() {
        return "AutoAugment(" + spec + ", " + style + ")";
    }
}

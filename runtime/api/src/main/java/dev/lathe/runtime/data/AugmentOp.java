package dev.lathe.runtime.data;

/**
 * timm's {@code AugmentOp}, the step RandAugment, AutoAugment and AugMix share: {@code op} applies with probability
 * {@code prob} (no draw when it is 1), at {@code magnitude} noised by N(magnitude, magnitudeStd) (uniform in
 * [0, magnitude] when magnitudeStd is infinite; fixed when 0) and clipped to [0, magnitudeMax] (10 when 0, as timm's
 * {@code magnitude_max or 10}), then signed and resampled as timm's level function and Pillow call draw, in that
 * order. {@code translatePct} bounds the relative translations (timm's hparam {@code translate_pct}).
 */
record AugmentOp(RandAugment.Op op, double prob, double magnitude, double magnitudeStd, int magnitudeMax,
        double translatePct) {
    /** timm's default {@code translate_pct} for the relative translations (RandAugment, AutoAugment). */
    static final double TRANSLATE_PCT = 0.45;

    Image apply(Image im, Draws d, OpStyle style) {
        if (prob < 1.0 && d.random() > prob) {
            return im;
        }
        double m = magnitude;
        if (Double.isInfinite(magnitudeStd)) {
            m = d.uniform(0, m);
        } else if (magnitudeStd > 0) {
            m = d.gauss(m, magnitudeStd);
        }
        m = Math.max(0.0, Math.min(m, magnitudeMax == 0 ? RandAugment.LEVEL_DENOM : magnitudeMax));
        boolean negate = op.signed() && d.random() > 0.5;
        Interpolation rs = style.resample();
        if (op.geometric() && rs == null) {
            // timm's _RANDOM_INTERPOLATION = (BILINEAR, BICUBIC), one random.choice per op call
            rs = d.index(2) == 0 ? Interpolation.BILINEAR : Interpolation.BICUBIC;
        }
        return RandAugment.apply(op, im, m, negate, rs, style.fill(), translatePct);
    }
}

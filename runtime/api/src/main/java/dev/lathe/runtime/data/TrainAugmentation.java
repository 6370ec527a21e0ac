package dev.lathe.runtime.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * timm's training-time image augmentation settings ({@code transforms_imagenet_train} in timm 0.6.13's
 * {@code timm/data/transforms_factory.py}): the crop's interpolation ({@code null} = timm's {@code random}: bilinear
 * or bicubic per image, and per geometric augmentation op), {@code --aa}'s RandAugment, AutoAugment or AugMix
 * ({@code null} = off), colour jitter strength (brightness, contrast and saturation alike; timm turns it off under any
 * {@code --aa}) and random erasing on the normalised image (probability 0 = off). {@link #NONE} is Lathe's standard
 * pipeline (bilinear, nothing else).
 */
public record TrainAugmentation(Interpolation interpolation, AugmentSpec aa, double colorJitter, double eraseProb,
        RandomErasing.Mode eraseMode, int eraseCount) {
    public static final TrainAugmentation NONE = new TrainAugmentation(Interpolation.BILINEAR, null, 0, 0,
            RandomErasing.Mode.CONST, 1);

    public TrainAugmentation {
        if (!(colorJitter >= 0) || !(eraseProb >= 0 && eraseProb <= 1) || eraseCount < 1) {
            throw new IllegalArgumentException("augmentation needs color jitter >= 0, erasing probability in [0, 1] and"
                    + " count >= 1; got " + colorJitter + ", " + eraseProb + ", " + eraseCount);
        }
    }

    /** Whether colour jitter runs: timm disables it under any --aa (RandAugment, AutoAugment, AugMix). */
    public boolean jitterApplies() {
        return colorJitter > 0 && aa == null;
    }

    /**
     * The steps after the crop and flip: the --aa augmentation with timm's fill for {@code normalize}, or colour
     * jitter.
     */
    public List<Transform> aaOrColourJitter(Normalize normalize) {
        List<Transform> steps = new ArrayList<>();
        if (aa != null) {
            steps.add(aa.transform(OpStyle.of(normalize.mean(), interpolation)));
        } else if (colorJitter > 0) {
            steps.add(Transforms.colorJitter(colorJitter, colorJitter, colorJitter));
        }
        return steps;
    }

    /** Random erasing as timm's training pipeline builds it, or null. */
    public RandomErasing erasing() {
        return eraseProb > 0 ? RandomErasing.timm(eraseProb, eraseMode, eraseCount) : null;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "interpolation %s, aa %s, color-jitter %s%s, reprob %s (%s, count 1..%d)",
                interpolation == null ? "random" : interpolation.name().toLowerCase(Locale.ROOT),
                aa == null ? "off" : aa, colorJitter,
                colorJitter > 0 && aa != null ? " (off: timm disables it under aa)" : "", eraseProb,
                eraseMode.name().toLowerCase(Locale.ROOT), eraseCount);
    }
}

package dev.lathe.runtime.data;

import java.util.Random;

/**
 * A timm augmentation (RandAugment, AutoAugment, AugMix) that makes its random draws through {@link Draws} in timm's
 * order: training drives it from a seeded generator, tests replay the values timm's own code drew.
 */
public interface DrawnTransform extends Transform {
    /** The augmentation with draws in timm's order. */
    Image apply(Image in, Draws d);

    @Override
    default Image apply(Image in, Random rng) {
        return apply(in, Draws.of(rng));
    }
}

package dev.lathe.runtime.data;

/**
 * A parsed {@code --aa} string in timm's grammar (timm 0.6.13's {@code transforms_imagenet_train}: {@code rand...} is
 * RandAugment, {@code augmix...} AugMix, anything else an AutoAugment policy): {@link RandAugment.Spec},
 * {@link AugMix.Spec} or {@link AutoAugment.Spec}.
 */
public sealed interface AugmentSpec permits RandAugment.Spec, AugMix.Spec, AutoAugment.Spec {
    /** The grammars, appended to every parse error. */
    String GRAMMAR = "; expected timm's RandAugment grammar rand[-m<int>][-n<int>][-p<float>][-mstd<float>][-mmax<int>]"
            + "[-inc<0|1>], e.g. rand-m9-mstd0.5-inc1, an AutoAugment policy v0|v0r|original|originalr"
            + "[-mstd<float>], e.g. original-mstd0.5, or AugMix augmix[-m<int>][-w<int>][-d<int>][-mstd<float>]"
            + "[-a<float>][-b<0|1>], e.g. augmix-m5-w4-d2";

    /** The transform, its geometric ops drawn in {@code style}. */
    DrawnTransform transform(OpStyle style);

    /** Parses {@code spec} (the value of {@code flag}, named in errors) by its first dash-separated section. */
    static AugmentSpec parse(String spec, String flag) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(flag + " is empty" + GRAMMAR);
        }
        String head = spec.trim().split("-", -1)[0];
        return switch (head) {
            case "rand" -> RandAugment.Spec.parse(spec, flag);
            case "augmix" -> AugMix.Spec.parse(spec, flag);
            default -> AutoAugment.Spec.parse(spec, flag);
        };
    }
}

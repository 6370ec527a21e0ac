package dev.lathe.pruning.importance;

/**
 * What the criteria of {@link Importances} may need beyond the model.
 *
 * @param seed seed of {@code random}
 * @param cicAlpha CIC's consistency weight: score = mean − alpha · std over classes (0 = class-aware)
 * @param gradients where {@code taylor} and {@code cic} get gradients from; null when there are none
 */
public record ImportanceOptions(long seed, double cicAlpha, GradientSource gradients) {
    /** Seed 0, alpha 1, no gradients. */
    public static ImportanceOptions defaults() {
        return new ImportanceOptions(0, 1.0, null);
    }

    public ImportanceOptions withSeed(long s) {
        return new ImportanceOptions(s, cicAlpha, gradients);
    }

    public ImportanceOptions withCicAlpha(double a) {
        return new ImportanceOptions(seed, a, gradients);
    }

    public ImportanceOptions withGradients(GradientSource g) {
        return new ImportanceOptions(seed, cicAlpha, g);
    }
}

package dev.lathe.models;

/**
 * What a zoo builder may vary: the classifier width, the square input resolution and the seed of the default
 * (PyTorch-style) initialisation. The batch dimension is always the symbol {@code N}.
 */
public record ZooConfig(int classes, int resolution, long seed) {
    public ZooConfig {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        if (resolution < 1) {
            throw new IllegalArgumentException("resolution must be >= 1, got " + resolution);
        }
    }

    public ZooConfig withClasses(int c) {
        return new ZooConfig(c, resolution, seed);
    }

    public ZooConfig withResolution(int r) {
        return new ZooConfig(classes, r, seed);
    }

    public ZooConfig withSeed(long s) {
        return new ZooConfig(classes, resolution, s);
    }
}

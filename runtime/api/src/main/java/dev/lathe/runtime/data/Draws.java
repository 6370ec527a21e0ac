package dev.lathe.runtime.data;

import java.util.Random;

/**
 * The random draws timm's augmentations make, by kind, so that an augmentation written against this interface can be
 * replayed with the exact values a Python reference drew (tests) or driven by a seeded generator (training).
 * {@link #of(Random)} turns each draw into Python's formula on a uniform double from the generator.
 */
public interface Draws {
    /** Python's random.random(): uniform in [0, 1). */
    double random();

    /** Python's random.uniform(a, b): a + (b - a) * random(). */
    double uniform(double a, double b);

    /** An integer uniform in [lo, hi] (both included, Python's random.randint; numpy's randint(lo, hi + 1)). */
    int randint(int lo, int hi);

    /** Python's random.gauss(mu, sigma). */
    double gauss(double mu, double sigma);

    /** An index uniform in [0, n): Python's random.choice and numpy's random.choice over n items. */
    int index(int n);

    /** A standard normal (torch's normal_() on float32). */
    float normal();

    /** numpy's random.beta(alpha, alpha). */
    double beta(double alpha);

    /** numpy's random.dirichlet([alpha] * n): n non-negative weights summing to 1. */
    double[] dirichlet(double alpha, int n);

    static Draws of(Random rng) {
        return new Draws() {
            @Override
            public double random() {
                return rng.nextDouble();
            }

            @Override
            public double uniform(double a, double b) {
                return a + (b - a) * rng.nextDouble();
            }

            @Override
            public int randint(int lo, int hi) {
                return lo + rng.nextInt(hi - lo + 1);
            }

            @Override
            public double gauss(double mu, double sigma) {
                return mu + sigma * rng.nextGaussian();
            }

            @Override
            public int index(int n) {
                return rng.nextInt(n);
            }

            @Override
            public float normal() {
                return (float) rng.nextGaussian();
            }

            @Override
            public double beta(double alpha) {
                double x = gamma(alpha, rng);
                double y = gamma(alpha, rng);
                return x + y == 0 ? (rng.nextBoolean() ? 1.0 : 0.0) : x / (x + y);
            }

            @Override
            public double[] dirichlet(double alpha, int n) {
                double[] v = new double[n];
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    v[i] = gamma(alpha, rng);
                    sum += v[i];
                }
                if (sum == 0) { // every gamma underflowed (tiny alpha): all weight on one, as beta does
                    v[rng.nextInt(n)] = 1;
                    return v;
                }
                for (int i = 0; i < n; i++) {
                    v[i] /= sum;
                }
                return v;
            }
        };
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang's method (shape < 1 through the U^(1/shape) boost). */
    static double gamma(double shape, Random rng) {
        if (shape < 1) {
            double u = rng.nextDouble();
            return gamma(shape + 1, rng) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }
}

package dev.lathe.graph.train;

import java.util.function.Predicate;

/**
 * What the train step does: loss, optimizer, fixed batch size, BN momentum (PyTorch convention, 0.1), gradient
 * clipping by global norm (0 = off), frozen parameters (kept as constants) and the parameters exempt from weight
 * decay (by default every rank-1 parameter: norm scales and biases); {@code gradientOutputs} adds each parameter's
 * (clipped) gradient as an output {@code <name>.grad}, for checks against a reference.
 */
public record TrainConfig(Loss loss, Optimizer optimizer, int batch, double bnMomentum, double clipNorm,
        Predicate<String> frozen, NoDecay noDecay, boolean gradientOutputs) {

    /** Which parameters skip weight decay, given name and rank. */
    @FunctionalInterface
    public interface NoDecay {
        boolean test(String name, int rank);

        NoDecay NORMS_AND_BIASES = (name, rank) -> rank <= 1;
        NoDecay NONE = (name, rank) -> false;
    }

    public static TrainConfig of(Loss loss, Optimizer optimizer, int batch) {
        return new TrainConfig(loss, optimizer, batch, 0.1, 0, n -> false, NoDecay.NORMS_AND_BIASES, false);
    }

    public TrainConfig withClipNorm(double c) {
        return new TrainConfig(loss, optimizer, batch, bnMomentum, c, frozen, noDecay, gradientOutputs);
    }

    public TrainConfig withFrozen(Predicate<String> f) {
        return new TrainConfig(loss, optimizer, batch, bnMomentum, clipNorm, f, noDecay, gradientOutputs);
    }

    public TrainConfig withNoDecay(NoDecay d) {
        return new TrainConfig(loss, optimizer, batch, bnMomentum, clipNorm, frozen, d, gradientOutputs);
    }

    public TrainConfig withGradientOutputs() {
        return new TrainConfig(loss, optimizer, batch, bnMomentum, clipNorm, frozen, noDecay, true);
    }

    public TrainConfig withBnMomentum(double m) {
        return new TrainConfig(loss, optimizer, batch, m, clipNorm, frozen, noDecay, gradientOutputs);
    }
}

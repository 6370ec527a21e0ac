package dev.lathe.graph.train;

import java.util.function.Predicate;

/**
 * What the train step does: objective (a weighted sum of loss terms), optimizer, fixed batch size, BN momentum
 * (PyTorch convention, 0.1), gradient clipping by global norm (0 = off), frozen parameters (kept as constants: no
 * gradient, no optimizer state; a BatchNorm whose scale and bias are frozen stays in inference form on its running
 * statistics, as a module in eval mode) and the parameters exempt from weight decay (by default every rank-1 parameter: norm scales and biases); {@code gradientOutputs} adds each parameter's
 * (clipped) gradient as an output {@code <name>.grad}, for checks against a reference. {@code accumulation} K > 1
 * makes each run one micro-batch that adds its gradient to an in-graph accumulator and updates the weights only when
 * fed {@link TrainStep#APPLY_UPDATE} = 1 (every K-th micro-batch), with the mean of the K gradients;
 * {@code dropPath} > 0 drops marked residual branches per sample ({@link DropPath}); {@code emaDecay} > 0 keeps an exponential moving average of the parameters and BN buffers ({@code <name>.ema}).
 */
public record TrainConfig(Objective objective, Optimizer optimizer, int batch, double bnMomentum, double clipNorm,
        Predicate<String> frozen, NoDecay noDecay, boolean gradientOutputs, int accumulation, double emaDecay,
        double dropPath) {

    public TrainConfig {
        if (accumulation < 1) {
            throw new IllegalArgumentException("gradient accumulation must be >= 1 micro-batches, got " + accumulation);
        }
        if (emaDecay < 0 || emaDecay >= 1) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1) (0 = off), got " + emaDecay);
        }
        if (!(dropPath >= 0 && dropPath < 1)) {
            throw new IllegalArgumentException("drop path rate must be in [0, 1) (0 = off), got " + dropPath);
        }
    }

    /** Which parameters skip weight decay, given name and rank. */
    @FunctionalInterface
    public interface NoDecay {
        boolean test(String name, int rank);

        NoDecay NORMS_AND_BIASES = (name, rank) -> rank <= 1;
        NoDecay NONE = (name, rank) -> false;
    }

    public static TrainConfig of(Loss loss, Optimizer optimizer, int batch) {
        return of(loss.objective(), optimizer, batch);
    }

    public static TrainConfig of(Objective objective, Optimizer optimizer, int batch) {
        return new TrainConfig(objective, optimizer, batch, 0.1, 0, n -> false, NoDecay.NORMS_AND_BIASES, false, 1, 0, 0);
    }

    public TrainConfig withClipNorm(double c) {
        return new TrainConfig(objective, optimizer, batch, bnMomentum, c, frozen, noDecay, gradientOutputs,
                accumulation, emaDecay, dropPath);
    }

    public TrainConfig withFrozen(Predicate<String> f) {
        return new TrainConfig(objective, optimizer, batch, bnMomentum, clipNorm, f, noDecay, gradientOutputs,
                accumulation, emaDecay, dropPath);
    }

    public TrainConfig withNoDecay(NoDecay d) {
        return new TrainConfig(objective, optimizer, batch, bnMomentum, clipNorm, frozen, d, gradientOutputs,
                accumulation, emaDecay, dropPath);
    }

    public TrainConfig withGradientOutputs() {
        return new TrainConfig(objective, optimizer, batch, bnMomentum, clipNorm, frozen, noDecay, true, accumulation,
                emaDecay, dropPath);
    }

    public TrainConfig withBnMomentum(double m) {
        return new TrainConfig(objective, optimizer, batch, m, clipNorm, frozen, noDecay, gradientOutputs,
                accumulation, emaDecay, dropPath);
    }

    /** K micro-batches per optimizer update (1 = update every run). */
    public TrainConfig withAccumulation(int k) {
        return new TrainConfig(objective, optimizer, batch, bnMomentum, clipNorm, frozen, noDecay, gradientOutputs, k,
                emaDecay, dropPath);
    }

    /**
     * Stochastic depth at this rate on the residual branches the model marks ({@link DropPath}), 0 = off; the
     * step then takes {@link TrainStep#SEED}.
     */
    public TrainConfig withDropPath(double rate) {
        return new TrainConfig(objective, optimizer, batch, bnMomentum, clipNorm, frozen, noDecay, gradientOutputs,
                accumulation, emaDecay, rate);
    }

    /** EMA of the weights with this decay per update (timm's ModelEmaV2: ema = d ema + (1 - d) weights). */
    public TrainConfig withEma(double decay) {
        return new TrainConfig(objective, optimizer, batch, bnMomentum, clipNorm, frozen, noDecay, gradientOutputs,
                accumulation, decay, dropPath);
    }
}

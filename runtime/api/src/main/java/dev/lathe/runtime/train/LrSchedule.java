package dev.lathe.runtime.train;

/** Learning rate as a function of training progress, evaluated every step. */
public interface LrSchedule {
    /** @param epoch 0-based epoch; @param progress fraction of the epoch done, in [0, 1) */
    double lr(int epoch, double progress);

    /** Linear warm-up from 0 over {@code warmupEpochs}, then cosine decay from {@code base} to 0 at {@code epochs}. */
    static LrSchedule cosine(double base, double warmupEpochs, int epochs) {
        return (epoch, progress) -> {
            double t = epoch + progress;
            if (t < warmupEpochs) {
                return base * (t + 1e-9) / warmupEpochs;
            }
            double span = Math.max(epochs - warmupEpochs, 1e-9);
            return 0.5 * base * (1 + Math.cos(Math.PI * Math.min(1, (t - warmupEpochs) / span)));
        };
    }

    /**
     * base * gamma^(milestones passed: epoch >= m), after an optional linear warm-up: rising every step, or with
     * {@code perEpoch} base * (epoch + 1) / warmupEpochs while epoch < warmupEpochs, the adjust_learning_rate of
     * CIC's (and MoCo's) scripts.
     */
    static LrSchedule multiStep(double base, int[] milestones, double gamma, double warmupEpochs, boolean perEpoch) {
        return (epoch, progress) -> {
            double t = epoch + progress;
            if (perEpoch ? epoch < warmupEpochs : t < warmupEpochs) {
                return perEpoch ? base * (epoch + 1) / warmupEpochs : base * (t + 1e-9) / warmupEpochs;
            }
            double lr = base;
            for (int m : milestones) {
                if (epoch >= m) {
                    lr *= gamma;
                }
            }
            return lr;
        };
    }

    /**
     * timm's {@code --sched cosine} (its CosineLRScheduler as {@code create_scheduler_v2} sets it up): linear warm-up
     * from {@code warmupLr} over {@code warmupEpochs}, cosine from {@code base} to {@code minLr} over {@code epochs}
     * counted from 0 (the warm-up is inside the cosine, timm's warmup_prefix=False), then {@code minLr} for any
     * cooldown epochs past {@code epochs}. The rate changes once per epoch, or every step with {@code perStep}
     * ({@code --sched-on-updates}; IIEU's MobileNetV2 recipe).
     */
    static LrSchedule timmCosine(double base, double warmupLr, double warmupEpochs, double minLr, int epochs,
            boolean perStep) {
        return (epoch, progress) -> {
            double t = perStep ? epoch + progress : epoch;
            if (t < warmupEpochs) {
                return warmupLr + t * (base - warmupLr) / warmupEpochs;
            }
            if (t >= epochs) {
                return minLr;
            }
            return minLr + 0.5 * (base - minLr) * (1 + Math.cos(Math.PI * t / epochs));
        };
    }

    static LrSchedule constant(double base) {
        return (epoch, progress) -> base;
    }
}

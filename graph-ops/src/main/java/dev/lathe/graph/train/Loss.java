package dev.lathe.graph.train;

/**
 * The classification losses the CLI offers by name, each a preset {@link Objective} over the model's logits [N, C]
 * and the integer labels [N]. Objectives over other values are built from {@link LossTerms} directly.
 */
public sealed interface Loss {

    /** The objective this loss stands for. */
    Objective objective();

    /** Cross-entropy with label smoothing eps: targets (1 - eps) one-hot + eps / C (PyTorch's label_smoothing). */
    record CrossEntropy(double labelSmoothing) implements Loss {
        @Override
        public Objective objective() {
            return Objective.of("ce", LossTerms.crossEntropy(labelSmoothing));
        }
    }

    /**
     * Logit-adjusted cross-entropy (Menon et al.): CE on {@code logitScale * logits + tau * log(prior)}, the class prior
     * being the training label frequencies; at inference the plain logits are used. CIC (SEEDS.md 5.3) trains its
     * cosine classifier with scale 30 and tau 1.
     */
    record LogitAdjusted(double[] classPrior, double tau, double labelSmoothing, double logitScale) implements Loss {
        public LogitAdjusted(double[] classPrior, double tau, double labelSmoothing) {
            this(classPrior, tau, labelSmoothing, 1.0);
        }

        @Override
        public Objective objective() {
            return Objective.of("ce", LossTerms.logitAdjusted(classPrior, tau, labelSmoothing, logitScale));
        }

        /** The prior n_c / N of per-class training counts; a class with no samples is an error (log 0). */
        public static double[] priorOf(int[] classCounts) {
            long total = 0;
            for (int c = 0; c < classCounts.length; c++) {
                if (classCounts[c] <= 0) {
                    throw new IllegalArgumentException("class " + c + " has no training samples; logit adjustment "
                            + "needs log(prior) of every class");
                }
                total += classCounts[c];
            }
            double[] prior = new double[classCounts.length];
            for (int c = 0; c < prior.length; c++) {
                prior[c] = (double) classCounts[c] / total;
            }
            return prior;
        }
    }

    /**
     * Soft knowledge distillation against teacher logits (extra input {@code teacher_logits}):
     * (1 - alpha) CE(labels) + alpha T^2 KL(softmax(teacher / T) || softmax(student / T)), KL averaged over the batch.
     */
    record Distillation(double temperature, double alpha, double labelSmoothing) implements Loss {
        @Override
        public Objective objective() {
            return new Objective(java.util.List.of(
                    new Objective.Term("ce", 1 - alpha, LossTerms.crossEntropy(labelSmoothing)),
                    new Objective.Term("kd", alpha, LossTerms.distillation(temperature))));
        }
    }

    /** KL(target || softmax(logits)) against a target distribution (extra input {@code target_probs}), batch mean. */
    record KlDivergence() implements Loss {
        @Override
        public Objective objective() {
            return Objective.of("kl", LossTerms.klDivergence());
        }
    }
}

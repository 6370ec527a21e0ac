package dev.lathe.graph.train;

/** The training objective applied to the model's logits [N, C] and the integer labels [N]. */
public sealed interface Loss {

    /** Cross-entropy with label smoothing eps: targets (1 - eps) one-hot + eps / C (PyTorch's label_smoothing). */
    record CrossEntropy(double labelSmoothing) implements Loss {}

    /**
     * Logit-adjusted cross-entropy (Menon et al.): CE on logits + tau * log(prior), the class prior being the
     * training label frequencies; at inference the plain logits are used.
     */
    record LogitAdjusted(double[] classPrior, double tau, double labelSmoothing) implements Loss {}

    /**
     * Soft knowledge distillation against teacher logits (extra input {@code teacher_logits}):
     * (1 - alpha) CE(labels) + alpha T^2 KL(softmax(teacher / T) || softmax(student / T)), KL averaged over the batch.
     */
    record Distillation(double temperature, double alpha, double labelSmoothing) implements Loss {}

    /** KL(target || softmax(logits)) against a target distribution (extra input {@code target_probs}), batch mean. */
    record KlDivergence() implements Loss {}
}

package dev.lathe.graph.train;

/** The in-graph update rule; the learning rate is a graph input so schedules need no new graph. */
public sealed interface Optimizer {

    /** torch.optim.SGD: buf = momentum buf + (g + wd p); step = nesterov ? g + wd p + momentum buf : buf. */
    record Sgd(double momentum, boolean nesterov, double weightDecay) implements Optimizer {}

    /** torch.optim.AdamW: decoupled decay p (1 - lr wd), bias-corrected moments. */
    record AdamW(double beta1, double beta2, double eps, double weightDecay) implements Optimizer {}

    /**
     * torch.optim.Adam: L2 decay added to the gradient (g + wd p) before the moments, bias-corrected moments. ISP
     * trains its predictor and selector with it (lr 1e-4, betas (0.9, 0.999), wd 1e-4).
     */
    record Adam(double beta1, double beta2, double eps, double weightDecay) implements Optimizer {}
}

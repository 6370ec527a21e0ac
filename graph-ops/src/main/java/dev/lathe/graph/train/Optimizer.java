package dev.lathe.graph.train;

/** The in-graph update rule; the learning rate is a graph input so schedules need no new graph. */
public sealed interface Optimizer {

    /** torch.optim.SGD: buf = momentum buf + (g + wd p); step = nesterov ? g + wd p + momentum buf : buf. */
    record Sgd(double momentum, boolean nesterov, double weightDecay) implements Optimizer {}

    /** torch.optim.AdamW: decoupled decay p (1 - lr wd), bias-corrected moments. */
    record AdamW(double beta1, double beta2, double eps, double weightDecay) implements Optimizer {}
}

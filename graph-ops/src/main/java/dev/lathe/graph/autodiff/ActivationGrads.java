package dev.lathe.graph.autodiff;

import dev.lathe.graph.ir.Value;

/**
 * Backward rules of the activations the IIEU paper's baselines and imported models use as single ops: Elu, PRelu
 * (with its slope gradient), Gelu (opset 20, exact and tanh forms) and Mish (opset 18). Conventions follow PyTorch's
 * backward kernels at the kinks.
 */
final class ActivationGrads {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_TANH_CUBIC = 0.044715;

    private ActivationGrads() {}

    static void addTo(BackwardRules.Builder rules) {
        // elu_backward: x <= 0 takes the exponential branch, whose derivative alpha e^x = y + alpha reuses y.
        rules.add("Elu", c -> {
            Value negative = c.ops().mul(c.grad(0), c.ops().add(c.out(0), c.scalar(c.attrFloat("alpha", 1f))));
            return new Value[] {c.ops().op("Where", c.ops().op("Greater", c.in(0), c.scalar(0)), c.grad(0), negative)};
        });
        rules.add("PRelu", ActivationGrads::prelu);
        rules.add("Gelu", ActivationGrads::gelu);
        // mish = x tanh(sp(x)): mish' = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2), as PyTorch's mish_backward.
        rules.add("Mish", c -> {
            Value x = c.in(0);
            Value t = c.ops().op("Tanh", c.ops().op("Softplus", x));
            Value oneMinusT2 = c.ops().sub(c.scalar(1), c.ops().mul(t, t));
            Value local = c.ops().add(t, c.ops().mul(c.ops().mul(x, c.ops().op("Sigmoid", x)), oneMinusT2));
            return new Value[] {c.ops().mul(c.grad(0), local)};
        });
    }

    /**
     * PRelu y = x for x > 0, slope x otherwise (slope broadcast to x): dx = x > 0 ? dy : slope dy and
     * dslope = x > 0 ? 0 : x dy summed back to the slope's shape (one per channel, or one in all), as PyTorch.
     */
    private static Value[] prelu(BackwardContext c) {
        Value x = c.in(0);
        Value slope = c.in(1);
        Value positive = c.ops().op("Greater", x, c.scalar(0));
        Value zero = c.scalar(0);
        Value[] g = new Value[2];
        if (c.needs(0)) {
            g[0] = c.ops().op("Where", positive, c.grad(0), c.ops().mul(c.grad(0), slope));
        }
        if (c.needs(1)) {
            Value perElement = c.ops().op("Where", positive, zero, c.ops().mul(c.grad(0), x));
            g[1] = c.unbroadcast(perElement, c.shape(c.out(0)), slope);
        }
        return g;
    }

    /**
     * Gelu: exact form d/dx x Phi(x) = Phi(x) + x phi(x); tanh form with u = sqrt(2/pi)(x + 0.044715 x^3),
     * d/dx 0.5 x (1 + tanh u) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi)(1 + 3 * 0.044715 x^2).
     */
    private static Value[] gelu(BackwardContext c) {
        Value x = c.in(0);
        boolean tanh = c.node().attrString("approximate", "none").equals("tanh");
        Value local;
        if (tanh) {
            Value x2 = c.ops().mul(x, x);
            Value u = c.ops().mul(c.scalar(SQRT_2_OVER_PI), c.ops().add(x, c.ops().mul(c.scalar(GELU_TANH_CUBIC),
                    c.ops().mul(x2, x))));
            Value t = c.ops().op("Tanh", u);
            Value du = c.ops().mul(c.scalar(SQRT_2_OVER_PI), c.ops().add(c.scalar(1),
                    c.ops().mul(c.scalar(3 * GELU_TANH_CUBIC), x2)));
            Value half = c.scalar(0.5);
            local = c.ops().add(c.ops().mul(half, c.ops().add(c.scalar(1), t)),
                    c.ops().mul(c.ops().mul(half, x), c.ops().mul(c.ops().sub(c.scalar(1), c.ops().mul(t, t)), du)));
        } else {
            Value cdf = c.ops().mul(c.scalar(0.5), c.ops().add(c.scalar(1),
                    c.ops().op("Erf", c.ops().mul(x, c.scalar(1 / Math.sqrt(2))))));
            Value pdf = c.ops().mul(c.scalar(1 / Math.sqrt(2 * Math.PI)),
                    c.ops().op("Exp", c.ops().mul(c.ops().mul(x, x), c.scalar(-0.5))));
            local = c.ops().add(cdf, c.ops().mul(x, pdf));
        }
        return new Value[] {c.ops().mul(c.grad(0), local)};
    }
}

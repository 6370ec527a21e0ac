package dev.lathe.graph.autodiff;

import dev.lathe.graph.ir.Value;

/** Backward rules of elementwise ops, with numpy broadcasting undone by {@link BackwardContext#unbroadcast}. */
final class ElementwiseGrads {
    private ElementwiseGrads() {}

    static void addTo(BackwardRules.Builder rules) {
        // ReLU'(0) = 0, as PyTorch's threshold_backward (mask y > 0).
        rules.add("Relu", c -> new Value[] {masked(c, c.ops().op("Greater", c.out(0), c.scalar(0)))});
        rules.add("LeakyRelu", c -> {
            Value scaled = c.ops().mul(c.grad(0), c.scalar(c.attrFloat("alpha", 0.01f)));
            return new Value[] {c.ops().op("Where", c.ops().op("Greater", c.in(0), c.scalar(0)), c.grad(0), scaled)};
        });
        rules.add("Identity", c -> new Value[] {c.grad(0)});
        rules.add("Neg", c -> new Value[] {c.ops().neg(c.grad(0))});
        rules.add("Add", c -> binary(c, c.grad(0), c.grad(0)));
        rules.add("Sub", c -> binary(c, c.grad(0), c.needs(1) ? c.ops().neg(c.grad(0)) : null));
        rules.add("Mul", c -> binary(c, c.needs(0) ? c.ops().mul(c.grad(0), c.in(1)) : null,
                c.needs(1) ? c.ops().mul(c.grad(0), c.in(0)) : null));
        // d(a/b)/db = -a/b^2 = -y/b, which reuses the forward output.
        rules.add("Div", c -> binary(c, c.needs(0) ? c.ops().div(c.grad(0), c.in(1)) : null,
                c.needs(1) ? c.ops().neg(c.ops().div(c.ops().mul(c.grad(0), c.out(0)), c.in(1))) : null));
        rules.add("Sum", c -> {
            Value[] g = new Value[c.inputCount()];
            long[] outShape = c.shape(c.out(0));
            for (int i = 0; i < g.length; i++) {
                g[i] = c.needs(i) ? c.unbroadcast(c.grad(0), outShape, c.in(i)) : null;
            }
            return g;
        });
        rules.add("Sigmoid", c -> unary(c, c.ops().mul(c.out(0), c.ops().sub(c.scalar(1), c.out(0)))));
        rules.add("Tanh", c -> unary(c, c.ops().sub(c.scalar(1), c.ops().mul(c.out(0), c.out(0)))));
        rules.add("Exp", c -> unary(c, c.out(0)));
        rules.add("Log", c -> new Value[] {c.ops().div(c.grad(0), c.in(0))});
        rules.add("Erf", c -> unary(c, c.ops().mul(c.scalar(2 / Math.sqrt(Math.PI)),
                c.ops().op("Exp", c.ops().neg(c.ops().mul(c.in(0), c.in(0)))))));
        rules.add("Sqrt", c -> new Value[] {c.ops().div(c.ops().mul(c.grad(0), c.scalar(0.5)), c.out(0))});
        rules.add("Reciprocal", c -> unary(c, c.ops().neg(c.ops().mul(c.out(0), c.out(0)))));
        // |x|' = sign(x), 0 at 0 as in PyTorch.
        rules.add("Abs", c -> unary(c, c.ops().op("Sign", c.in(0))));
        rules.add("Softplus", c -> unary(c, c.ops().op("Sigmoid", c.in(0))));
        rules.add("Pow", ElementwiseGrads::pow);
        rules.add("Where", c -> {
            Value zero = c.scalar(0);
            long[] outShape = c.shape(c.out(0));
            Value a = c.needs(1) ? c.unbroadcast(c.ops().op("Where", c.in(0), c.grad(0), zero), outShape, c.in(1)) : null;
            Value b = c.needs(2) ? c.unbroadcast(c.ops().op("Where", c.in(0), zero, c.grad(0)), outShape, c.in(2)) : null;
            return new Value[] {null, a, b};
        });
        rules.add("Min", ElementwiseGrads::minMax);
        rules.add("Max", ElementwiseGrads::minMax);
        rules.add("Clip", ElementwiseGrads::clip);
        rules.add("Cast", c -> new Value[] {c.ops().cast(c.grad(0), c.in(0).dtype())});
        // HardSigmoid y = max(0, min(1, alpha x + beta)): slope alpha strictly inside (0, 1), as PyTorch.
        rules.add("HardSigmoid", c -> {
            Value inside = inside(c, c.out(0), 0, 1);
            return unary(c, c.ops().mul(c.ops().cast(inside, c.dtype()), c.scalar(c.attrFloat("alpha", 0.2f))));
        });
        // HardSwish y = x * relu6(x + 3) / 6: y' = (2x + 3) / 6 on (-3, 3), 1 above, 0 below, as PyTorch.
        rules.add("HardSwish", c -> {
            Value x = c.in(0);
            Value mid = c.ops().div(c.ops().add(c.ops().mul(x, c.scalar(2)), c.scalar(3)), c.scalar(6));
            Value upper = c.ops().op("Where", c.ops().op("Less", x, c.scalar(3)), mid, c.scalar(1));
            return unary(c, c.ops().op("Where", c.ops().op("Greater", x, c.scalar(-3)), upper, c.scalar(0)));
        });
    }

    private static Value inside(BackwardContext c, Value v, double lo, double hi) {
        return c.ops().op("And", c.ops().op("Greater", v, c.scalar(lo)), c.ops().op("Less", v, c.scalar(hi)));
    }

    /** Gradient of a unary op whose derivative is {@code local}: dX = dY * local. */
    private static Value[] unary(BackwardContext c, Value local) {
        return new Value[] {c.ops().mul(c.grad(0), local)};
    }

    private static Value[] binary(BackwardContext c, Value ga, Value gb) {
        long[] outShape = c.shape(c.out(0));
        return new Value[] {c.needs(0) ? c.unbroadcast(ga, outShape, c.in(0)) : null,
                c.needs(1) ? c.unbroadcast(gb, outShape, c.in(1)) : null};
    }

    /** d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a (defined for a > 0). */
    private static Value[] pow(BackwardContext c) {
        Value a = c.in(0);
        Value b = c.in(1);
        Value ga = null;
        Value gb = null;
        if (c.needs(0)) {
            Value bT = b.dtype() == c.dtype() ? b : c.ops().cast(b, c.dtype());
            ga = c.ops().mul(c.grad(0), c.ops().mul(bT, c.ops().op("Pow", a, c.ops().sub(bT, c.scalar(1)))));
        }
        if (c.needs(1)) {
            gb = c.ops().mul(c.grad(0), c.ops().mul(c.out(0), c.ops().op("Log", a)));
        }
        return binary(c, ga, gb);
    }

    /** Min/Max: the gradient goes to the inputs equal to the result, split evenly on ties (PyTorch's convention). */
    private static Value[] minMax(BackwardContext c) {
        int n = c.inputCount();
        long[] outShape = c.shape(c.out(0));
        Value[] masks = new Value[n];
        for (int i = 0; i < n; i++) {
            masks[i] = c.ops().cast(c.ops().op("Equal", c.in(i), c.out(0)), c.dtype());
        }
        Value share = c.ops().div(c.grad(0), n == 1 ? masks[0] : c.ops().op("Sum", masks));
        Value[] g = new Value[n];
        for (int i = 0; i < n; i++) {
            g[i] = c.needs(i) ? c.unbroadcast(c.ops().mul(share, masks[i]), outShape, c.in(i)) : null;
        }
        return g;
    }

    /**
     * Clip passes the gradient where min <= x <= max (torch.clamp's convention; hardtanh/ReLU6 in PyTorch use strict
     * bounds, which differs only on the measure-zero set x == bound). Bounds get the gradient where they bind.
     */
    private static Value[] clip(BackwardContext c) {
        Value x = c.in(0);
        Value lo = c.in(1);
        Value hi = c.in(2);
        Value[] g = new Value[c.inputCount()];
        if (c.needs(0)) { // x == clip(x) exactly where min <= x <= max
            g[0] = lo == null && hi == null ? c.grad(0) : masked(c, c.ops().op("Equal", x, c.out(0)));
        }
        long[] outShape = c.shape(c.out(0));
        if (c.needs(1)) {
            g[1] = c.unbroadcast(masked(c, c.ops().op("Less", x, lo)), outShape, lo);
        }
        if (c.needs(2)) {
            g[2] = c.unbroadcast(masked(c, c.ops().op("Greater", x, hi)), outShape, hi);
        }
        return g;
    }

    /**
     * dY where {@code mask} holds, else 0, as dY * Cast(mask): in ORT's CPU kernels Greater/Equal + Cast + Mul take
     * about half the time of Where(mask, dY, 0), whose broadcasting path is slow (8x96x112x112: 93 vs 202 ms).
     */
    static Value masked(BackwardContext c, Value mask) {
        return c.ops().mul(c.grad(0), c.ops().cast(mask, c.dtype()));
    }
}

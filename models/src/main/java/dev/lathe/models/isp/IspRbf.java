package dev.lathe.models.isp;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.autodiff.Autodiff;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;

/**
 * ISP's RBF saliency maps and the masks sampled from them, as graph pieces (SEEDS section 2.1-2.2).
 *
 * <p>A map is built from (c_x, c_y, sigma) per sample: the Gaussian density N(u, v; c, sigma^2 I) on the pixel grid
 * (u = row index, v = column index, as the repository's transposed {@code arange}), divided by its grid maximum plus
 * 1e-8 with the maximum <em>detached</em> ({@code map.detach().max()}). The forward value is exp(-d^2 / 2 sigma^2)
 * over its grid maximum; the gradient keeps the 1 / (2 pi sigma^2) factor of the density, which a plain exp would
 * drop, so the division is written as the repository has it.
 *
 * <p>Masks are PyTorch's {@code RelaxedBernoulli(temperature, probs=map).rsample()} for uniform draws u fed in:
 * probabilities and draws clamped to [eps, 1 - eps] (float32 eps), sigmoid((log u - log(1 - u) + logit p) / T),
 * the result clamped to [tiny, 1 - eps] (PyTorch's clipped sigmoid). The hard option is the straight-through
 * threshold (s > 0.5) + s - s.detach(): thresholding the relaxed sample at 0.5 is an exact Bernoulli(p) draw
 * (logit p + logistic noise > 0 with probability p), and its gradient is the relaxed one.
 */
public final class IspRbf {
    /** float32 machine epsilon, torch.finfo(torch.float32).eps, PyTorch's clamp_probs bound. */
    static final float EPS = 1.1920929e-07f;
    /** torch.finfo(torch.float32).tiny. */
    static final float TINY = 1.17549435e-38f;

    /**
     * The image geometry of the maps: {@code size} x {@code size} pixels; centres c = half tanh(m / half) + offset
     * for the selector's raw outputs m and c = U(-1, 1) half + offset for Stage A's random maps; random sigma ~
     * U(sigmaLow, sigmaHigh). CIFAR: 32, 14, 16, U(5, 11); ImageNet: 224, 108, 112, U(80, 100).
     */
    public record Geometry(int size, double half, double offset, double sigmaLow, double sigmaHigh) {
        public static final Geometry CIFAR = new Geometry(32, 14, 16, 5, 11);
        public static final Geometry IMAGENET = new Geometry(224, 108, 112, 80, 100);

        /** CIFAR's proportions at another (square) size: for small test inputs. */
        public static Geometry scaledCifar(int size) {
            double k = size / 32.0;
            return new Geometry(size, 14 * k, 16 * k, 5 * k, 11 * k);
        }
    }

    private IspRbf() {}

    /**
     * The selector's raw outputs m [B, 3] (or [B, 3, 1, 1]) to (c_x, c_y, sigma) [B, 3]: c = half tanh(m / half) +
     * offset, sigma = softplus(m_sigma) + 1e-8 (the repository's logaddexp(0, m)).
     */
    public static Value centres(Ops o, Value raw, Geometry g) {
        Value m = o.reshape(raw, -1, 3);
        var parts = o.split(m, 1, 2, 1);
        Value xy = o.add(o.mul(o.tanh(o.mul(parts.get(0), f(o, 1 / g.half()))), f(o, g.half())), f(o, g.offset()));
        Value sigma = o.add(o.softplus(parts.get(1)), f(o, 1e-8));
        return o.concat(1, xy, sigma);
    }

    /** Stage A's random (c_x, c_y, sigma) [B, 3] from uniform draws u [B, 3] in (0, 1). */
    public static Value randomCentres(Ops o, Value u, Geometry g) {
        var parts = o.split(u, 1, 2, 1);
        Value xy = o.add(o.mul(o.sub(o.mul(parts.get(0), f(o, 2)), f(o, 1)), f(o, g.half())), f(o, g.offset()));
        Value sigma = o.add(o.mul(parts.get(1), f(o, g.sigmaHigh() - g.sigmaLow())), f(o, g.sigmaLow()));
        return o.concat(1, xy, sigma);
    }

    /** The RBF maps [B, 1, size, size] of (c_x, c_y, sigma) [B, 3]. */
    public static Value map(Ops o, Value centres, Geometry g) {
        int n = g.size();
        Value c = o.reshape(centres, -1, 3, 1, 1);
        var parts = o.split(c, 1, 1, 1, 1);
        // the grid from Range, not a FLOAT initializer, which a train step would take for a parameter
        Value idx = o.op("Range", f(o, 0), f(o, n), f(o, 1));
        Value rows = o.reshape(idx, 1, 1, n, 1);
        Value cols = o.reshape(idx, 1, 1, 1, n);
        Value du = o.sub(rows, parts.get(0));
        Value dv = o.sub(cols, parts.get(1));
        Value d2 = o.add(o.mul(du, du), o.mul(dv, dv));
        Value var2 = o.mul(o.mul(parts.get(2), parts.get(2)), f(o, 2));
        // (1 / (2 pi sigma^2)) * exp((-1 / (2 sigma^2)) * d2), in the repository's order
        Value norm = o.reciprocal(o.mul(var2, f(o, Math.PI)));
        Value density = o.mul(norm, o.exp(o.mul(o.neg(o.reciprocal(var2)), d2)));
        Value max = o.op("ReduceMax", attrs("axes", Attr.of(new long[] {2, 3}), "keepdims", Attr.of(1L)), density);
        return o.div(density, o.add(Autodiff.stopGradient(o, max), f(o, 1e-8)));
    }

    /**
     * The mask sampled from probabilities {@code probs} with uniform draws {@code u} (same shape): the relaxed
     * Bernoulli at {@code temperature}, or its straight-through hard threshold.
     */
    public static Value sample(Ops o, Value probs, Value u, double temperature, boolean hard) {
        Value p = o.clip(probs, EPS, 1 - EPS);
        Value one = f(o, 1);
        Value logits = o.sub(o.op("Log", p), o.op("Log", o.sub(one, p)));
        Value uc = o.clip(u, EPS, 1 - EPS);
        Value noise = o.sub(o.op("Log", uc), o.op("Log", o.sub(one, uc)));
        Value s = o.clip(o.sigmoid(o.div(o.add(noise, logits), f(o, temperature))), TINY, 1 - EPS);
        if (!hard) {
            return s;
        }
        Value thresholded = o.cast(o.op("Greater", s, f(o, 0.5)), DataType.FLOAT);
        return o.add(o.sub(thresholded, Autodiff.stopGradient(o, s)), s);
    }

    private static Value f(Ops o, double v) {
        return o.scalar(DataType.FLOAT, v);
    }
}

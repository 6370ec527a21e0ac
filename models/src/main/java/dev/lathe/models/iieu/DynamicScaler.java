package dev.lathe.models.iieu;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Value;
import java.util.List;

/**
 * The IIEU-DC "dynamic scaler" that replaces a residual add (SEEDS.md section 1.2). For the branch output x and the
 * shortcut res, both {@code [N, C, H, W]}, with {@code r = 2 * rateReduct}:
 * <pre>
 *   a   = LN_2C(concat(GAP(x), GAP(res)))  viewed [N, 2, C]      norm_cat (weight 1, bias 0, eps 1e-6)
 *   h   = a gen1^T                          [N, 2, C/r]            gen1.weight [C/r, C], no bias
 *   h   = IIEU-B on tokens (below)                                 nl.norm.gamma / nl.norm.beta [1, 2, C/r], nl.bound [1, 1, C/r]
 *   c   = LN_2C(h gen2^T viewed [N, 2C])    viewed [N, 2, C, 1, 1] gen2.weight [C, C/r]; norm (weight 0.01, bias 0)
 *   w   = softmax(c) over the two tokens
 *   out = x * w[:, 0] + res * w[:, 1]
 * token IIEU-B:  P = 1 / (||a||_last + 1e-8),  F = 1 / (||gen1 row||_2 + 1e-8),
 *                shift = sigmoid(SpatialGNorm(h)),  SpatialGNorm(h) = (h - mean) / (std_unbiased + 1e-6) * gamma + beta
 *                over the last axis per token, then {@link Iieu#modulate}.
 * </pre>
 * SpatialGNorm divides by the unbiased standard deviation plus eps, so it is spelled out rather than a
 * LayerNormalization. gen1 and gen2 are MatMuls on the rank-3 token tensor, as PyTorch's Linear.
 */
public final class DynamicScaler {
    private static final float LN_EPS = 1e-6f;
    private static final float GNORM_EPS = 1e-6f;
    private static final float OUTPUT_NORM_WEIGHT_INIT = 0.01f;
    private static final float GNORM_GAMMA_INIT = 0.01f;
    /** kaiming_normal_(mode='fan_out', nonlinearity='leaky_relu') with PyTorch's default slope 0.01. */
    private static final double LEAKY_RELU_GAIN = Math.sqrt(2.0 / (1 + 0.01 * 0.01));

    /** The two settings the reference uses; they differ in reduction, bound init and how gen1/gen2 start. */
    public enum Variant {
        /** resnet_iieudc_timm.py: rate_reduct 8 (hidden C/16), bound 0.01, gen1/gen2 kaiming-normal fan_out. */
        RESNET(8, 0.01f, false),
        /**
         * iieudc_mobilenetv2_0dot17.py: rate_reduct 2 (hidden C/4), bound 0.05; the network's own weight init runs
         * after the scaler's and redraws every Linear weight from N(0, 0.01).
         */
        MOBILENET_V2(2, 0.05f, true);

        final int rateReduct;
        final float boundInit;
        final boolean linearsFromNetworkInit;

        Variant(int rateReduct, float boundInit, boolean linearsFromNetworkInit) {
            this.rateReduct = rateReduct;
            this.boundInit = boundInit;
            this.linearsFromNetworkInit = linearsFromNetworkInit;
        }

        double linearStd(long out) {
            return linearsFromNetworkInit ? 0.01 : LEAKY_RELU_GAIN / Math.sqrt(out);
        }
    }

    private DynamicScaler() {}

    /** The scaler named {@code name} combining branch {@code x} and shortcut {@code res}. */
    public static Value apply(Nn nn, String name, Value x, Value res, Variant v) {
        GraphBuilder b = nn.builder();
        long c = x.shape().get(1).size();
        long hidden = c / (2L * v.rateReduct);
        if (hidden < 2) { // the unbiased std of the hidden tokens needs two elements
            throw new IllegalArgumentException(b.qualify(name) + ": " + c + " channels leave " + hidden
                    + " hidden units at reduction " + 2 * v.rateReduct + "; need at least 2");
        }
        try (var s = b.scope(name)) {
            Value pooled = b.ops().concat(1, b.ops().flatten(b.ops().globalAveragePool(x), 1),
                    b.ops().flatten(b.ops().globalAveragePool(res), 1));
            Value a = b.ops().reshape(nn.layerNorm("norm_cat", pooled, LN_EPS), 0, 2, c);
            Value gen1 = linearWeight(nn, "gen1", hidden, c, v);
            Value h = b.ops().matMul(a, transposed(b, "gen1", gen1));
            h = tokenIieu(nn, "nl", h, a, gen1, v.boundInit);
            Value gen2 = linearWeight(nn, "gen2", c, hidden, v);
            Value comb = b.ops().reshape(b.ops().matMul(h, transposed(b, "gen2", gen2)), 0, 2 * c);
            try (var n = b.scope("norm")) {
                comb = b.ops().layerNorm(comb, b.param("weight", Nn.fill(OUTPUT_NORM_WEIGHT_INIT, 2 * c)),
                        b.param("bias", Nn.fill(0f, 2 * c)), -1, LN_EPS);
            }
            comb = b.ops().softmax(b.ops().reshape(comb, 0, 2, c, 1, 1), 1);
            List<Value> w = b.ops().split(comb, 1, 1, 1);
            return b.ops().add(b.ops().mul(x, b.ops().squeeze(w.get(0), 1)),
                    b.ops().mul(res, b.ops().squeeze(w.get(1), 1)));
        }
    }

    /** IIEU-B on the tokens h {@code [N, 2, C/r]} of gen1 applied to a {@code [N, 2, C]}. */
    private static Value tokenIieu(Nn nn, String name, Value h, Value a, Value gen1, float boundInit) {
        GraphBuilder b = nn.builder();
        long hidden = h.shape().get(-1).size();
        try (var s = b.scope(name)) {
            Value p = b.ops().reciprocal(b.ops().add(b.ops().reduceL2(a, true, -1), b.scalar(Iieu.EPS)));
            Value f = b.ops().reciprocal(b.ops().add(b.ops().reduceL2(gen1, false, 1), b.scalar(Iieu.EPS)));
            Value shift = b.ops().sigmoid(spatialGNorm(nn, "norm", h));
            Value bound = b.param("bound", Nn.fill(boundInit, 1, 1, hidden));
            return Iieu.modulate(b, h, b.ops().mul(b.ops().mul(f, h), p), shift, bound);
        }
    }

    /** (h - mean) / (unbiased std + eps) * gamma + beta over the last axis; gamma, beta {@code [1, tokens, D]}. */
    private static Value spatialGNorm(Nn nn, String name, Value h) {
        GraphBuilder b = nn.builder();
        long tokens = h.shape().get(1).size();
        long d = h.shape().get(-1).size();
        try (var s = b.scope(name)) {
            Value centred = b.ops().sub(h, b.ops().reduceMean(h, true, -1));
            Value variance = b.ops().div(b.ops().reduceSum(b.ops().mul(centred, centred), true, -1),
                    b.scalar(d - 1f));
            Value normed = b.ops().div(centred, b.ops().add(b.ops().sqrt(variance), b.scalar(GNORM_EPS)));
            Value gamma = b.param("gamma", Nn.fill(GNORM_GAMMA_INIT, 1, tokens, d));
            Value beta = b.param("beta", Nn.fill(0f, 1, tokens, d));
            return b.ops().add(b.ops().mul(normed, gamma), beta);
        }
    }

    /** A bias-free Linear's weight {@code [out, in]}, initialised as the variant's reference. */
    private static Value linearWeight(Nn nn, String name, long out, long in, Variant v) {
        GraphBuilder b = nn.builder();
        try (var s = b.scope(name)) {
            return b.param("weight", nn.normal(v.linearStd(out), out, in));
        }
    }

    private static Value transposed(GraphBuilder b, String scope, Value weight) {
        try (var s = b.scope(scope)) {
            return b.ops().transpose(weight, 1, 0);
        }
    }
}

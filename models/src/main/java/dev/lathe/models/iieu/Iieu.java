package dev.lathe.models.iieu;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Value;

/**
 * The IIEU-B unit (SEEDS.md section 1.1). For the BN output x of a conv with weight W (kernel k, stride s, pad p)
 * whose input was xPre:
 * <pre>
 *   P = 1 / (sqrt(AvgPool_{k,s,p}(sum_c xPre^2)) + eps) / k     if k > 1 (padding zeros count, as PyTorch's default)
 *     = 1 / (||AvgPool_{1,s}(xPre)||_c + eps)                   if k = 1 and s > 1
 *     = 1 / (||xPre||_c + eps)                                  otherwise
 *   F = 1 / (||W_c||_2 + eps)                                   per output channel, computed from W in the graph
 *   s = sigmoid(LayerNorm_C(GAP(x)))                            LN eps 1e-6, params norm.weight / norm.bias
 *   m = (s - bound) + F * x * P
 *   y = where(m < 0, bound * x * exp(min(m, 0)), bound * x + m * x)
 * </pre>
 * F is left in the graph so that a checkpoint's conv weight binds unchanged; ONNX Runtime folds it.
 * The token version inside the dynamic scaler ({@link DynamicScaler}) shares {@link #modulate}.
 */
public final class Iieu {
    static final float EPS = 1e-8f;
    private static final float LN_EPS = 1e-6f;
    /** The reference initialises the channel-shift LayerNorm's weight to 0.01 (bias 0) and bound to 0.05. */
    private static final float NORM_WEIGHT_INIT = 0.01f;
    private static final float BOUND_INIT = 0.05f;

    private Iieu() {}

    /** Applies IIEU-B named {@code name} ({@code name.norm.*}, {@code name.bound}) to {@code conv}'s BN output. */
    public static Value apply(Nn nn, String name, Value x, Value xPre, Value convWeight, ConvAttrs conv) {
        GraphBuilder b = nn.builder();
        long c = x.shape().get(1).size();
        try (var s = b.scope(name)) {
            Value p = inversePatchNorm(b, xPre, conv);
            Value f = b.ops().reciprocal(b.ops().add(b.ops().reduceL2(convWeight, false, 1, 2, 3), b.scalar(EPS)));
            f = b.ops().reshape(f, 1, c, 1, 1);
            Value shift = b.ops().flatten(b.ops().globalAveragePool(x), 1);
            try (var n = b.scope("norm")) {
                shift = b.ops().layerNorm(shift, b.param("weight", Nn.fill(NORM_WEIGHT_INIT, c)),
                        b.param("bias", Nn.fill(0f, c)), -1, LN_EPS);
            }
            shift = b.ops().unsqueeze(b.ops().sigmoid(shift), 2, 3);
            Value bound = b.param("bound", Nn.fill(BOUND_INIT, 1, c, 1, 1));
            return modulate(b, x, b.ops().mul(b.ops().mul(f, x), p), shift, bound);
        }
    }

    /**
     * The IIEU mask and output shared by the conv and token versions: {@code m = (shift - bound) + similarity} with
     * {@code similarity = F * x * P}, {@code y = where(m < 0, bound * x * exp(min(m, 0)), bound * x + m * x)}.
     */
    static Value modulate(GraphBuilder b, Value x, Value similarity, Value shift, Value bound) {
        Value m = b.ops().add(b.ops().add(b.ops().neg(bound), shift), similarity);
        Value bx = b.ops().mul(bound, x);
        Value negative = b.ops().mul(bx, b.ops().exp(b.ops().min(m, b.scalar(0f))));
        Value positive = b.ops().add(bx, b.ops().mul(m, x));
        return b.ops().where(b.ops().less(m, b.scalar(0f)), negative, positive);
    }

    private static Value inversePatchNorm(GraphBuilder b, Value xPre, ConvAttrs conv) {
        if (conv.kernel() > 1) {
            Value n2 = b.ops().reduceSum(b.ops().mul(xPre, xPre), true, 1);
            Value avg = b.ops().averagePool(n2, ConvAttrs.of(conv.kernel(), conv.stride(), conv.pad()), true);
            Value inv = b.ops().reciprocal(b.ops().add(b.ops().sqrt(avg), b.scalar(EPS)));
            return b.ops().mul(inv, b.scalar(1f / conv.kernel()));
        }
        Value v = conv.stride() > 1 ? b.ops().averagePool(xPre, ConvAttrs.of(1, conv.stride(), 0), true) : xPre;
        return b.ops().reciprocal(b.ops().add(b.ops().reduceL2(v, true, 1), b.scalar(EPS)));
    }
}

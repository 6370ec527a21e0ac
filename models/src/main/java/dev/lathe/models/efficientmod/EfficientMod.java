package dev.lathe.models.efficientmod;

import dev.lathe.graph.train.DropPath;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;
import java.util.List;

/**
 * EfficientMod networks. Tensors inside stages are channel-last {@code [N, H, W, C]} as in the paper's code, so
 * every Linear is a MatMul on the last axis and every LayerNorm normalises the last axis; the 7x7 depthwise context
 * conv and the patch embeddings transpose to NCHW and back around the Conv.
 * Keys: {@code patch_embed.proj.*, patch_embed.norm.*, layers.i.blocks.j.{norm, mlp.fc1, mlp.fc2,
 * mlp.context_layer.f, mlp.context_layer.context_list.0, mlp.context_layer.g, gamma_1}}, attention blocks
 * {@code layers.i.blocks.k.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}},
 * {@code layers.i.downsample.{proj, norm}}, {@code norm.*, head.*}.
 */
public final class EfficientMod {
    /**
     * One variant: widths, modulation blocks and attention blocks per stage, the alternating MLP ratios (1, r, 1, r,
     * ...) of the modulation blocks and the MLP ratio of each stage's attention blocks.
     */
    public record Spec(long[] dims, int[] depths, int[] attentionDepths, int expandedRatio, int[] attentionRatios) {}

    public static final Spec XXS = new Spec(new long[] {32, 64, 128, 256}, new int[] {2, 2, 6, 2},
            new int[] {0, 0, 1, 2}, 6, new int[] {0, 0, 4, 4});
    public static final Spec XS = new Spec(new long[] {32, 64, 144, 288}, new int[] {3, 3, 4, 2},
            new int[] {0, 0, 3, 3}, 4, new int[] {4, 4, 4, 4});
    public static final Spec S = new Spec(new long[] {32, 64, 144, 312}, new int[] {4, 4, 8, 4},
            new int[] {0, 0, 4, 4}, 6, new int[] {4, 4, 4, 5});
    public static final Spec S_CONV = new Spec(new long[] {40, 80, 160, 344}, new int[] {4, 4, 12, 8},
            new int[] {0, 0, 0, 0}, 6, new int[] {0, 0, 0, 0});

    private static final float LN_EPS = 1e-5f;
    private static final long CONTEXT_KERNEL = 7;
    private static final long HEADS = 8;
    private static final long MIN_HEAD_DIM = 32;

    private EfficientMod() {}

    public static Model build(String name, Spec spec, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        try (var s = b.scope("patch_embed")) {
            x = patchEmbed(nn, toChannelLast(b, x, false), spec.dims()[0], ConvAttrs.of(7, 4, 3));
        }
        try (var l = b.scope("layers")) {
            for (int stage = 0; stage < 4; stage++) {
                try (var s = b.scope(Integer.toString(stage))) {
                    int j = 0;
                    try (var blocks = b.scope("blocks")) {
                        for (; j < spec.depths()[stage]; j++) {
                            try (var blk = b.scope(Integer.toString(j))) {
                                x = modulationBlock(nn, x, j % 2 == 0 ? 1 : spec.expandedRatio());
                            }
                        }
                        for (int k = 0; k < spec.attentionDepths()[stage]; k++, j++) {
                            try (var blk = b.scope(Integer.toString(j))) {
                                x = attentionBlock(nn, x, spec.attentionRatios()[stage]);
                            }
                        }
                    }
                    if (stage < 3) {
                        try (var d = b.scope("downsample")) {
                            x = patchEmbed(nn, x, spec.dims()[stage + 1], ConvAttrs.of(3, 2, 1));
                        }
                    }
                }
            }
        }
        x = nn.layerNorm("norm", x, LN_EPS);
        try (var s = b.scope("avgpool")) {
            x = b.ops().reduceMean(x, false, 1, 2);
        }
        b.output(nn.linear("head", x, c.classes(), true), ModelInputs.OUTPUT);
        return b.build();
    }

    /** PatchEmbed: Conv2d (bias) on NCHW, then LayerNorm over channels, channel-last in and out. */
    private static Value patchEmbed(Nn nn, Value channelLast, long out, ConvAttrs a) {
        GraphBuilder b = nn.builder();
        Value y = nn.conv2d("proj", toChannelLast(b, channelLast, true), out, a, true);
        return nn.layerNorm("norm", toChannelLast(b, y, false), LN_EPS);
    }

    /** NCHW -> NHWC, or back with {@code inverse}. */
    private static Value toChannelLast(GraphBuilder b, Value x, boolean inverse) {
        return inverse ? b.ops().transpose(x, 0, 3, 1, 2) : b.ops().transpose(x, 0, 2, 3, 1);
    }

    /**
     * x + gamma_1 * fc2(v * tile(ctx, r)) with v = fc1(LN x) (GELU only when r != 1) and
     * ctx = g(GELU(dwconv7(f(LN x)))); torch's {@code repeat(1,1,1,r)} is ONNX Tile on the channel axis.
     */
    private static Value modulationBlock(Nn nn, Value x, int ratio) {
        GraphBuilder b = nn.builder();
        long dim = x.shape().get(3).size();
        Value y = nn.layerNorm("norm", x, LN_EPS);
        Value out;
        try (var m = b.scope("mlp")) {
            Value ctx;
            try (var cl = b.scope("context_layer")) {
                ctx = nn.linear("f", y, dim, true);
                try (var list = b.scope("context_list")) {
                    ctx = nn.conv2d("0", toChannelLast(b, ctx, true), dim,
                            ConvAttrs.of(CONTEXT_KERNEL, 1, CONTEXT_KERNEL / 2).withGroups(dim), true);
                }
                // GELU before the permute back, as the reference: ONNX Runtime then runs it on the conv's NCHWc output
                // ahead of the layout reorder, the same optimised graph as the torch export's
                ctx = nn.linear("g", toChannelLast(b, gelu(b, ctx), false), dim, true);
            }
            Value v = nn.linear("fc1", y, dim * ratio, true);
            if (ratio != 1) {
                v = gelu(b, v);
                ctx = b.ops().tile(ctx, 1, 1, 1, ratio);
            }
            out = nn.linear("fc2", b.ops().mul(v, ctx), dim, true);
        }
        Value gamma = b.param("gamma_1", Nn.fill(1e-4f, dim));
        return DropPath.mark(b.ops().add(x, b.ops().mul(gamma, out)), 1, b.prefix());
    }

    /** ViT block on the flattened tokens: x + proj(attn(LN x)); x + fc2(GELU(fc1(LN x))); no layer scale. */
    private static Value attentionBlock(Nn nn, Value x, int mlpRatio) {
        GraphBuilder b = nn.builder();
        long h = x.shape().get(1).size();
        long w = x.shape().get(2).size();
        long dim = x.shape().get(3).size();
        long tokens = h * w;
        Value t = b.ops().reshape(x, 0, tokens, dim);
        String block = b.prefix(); // both joins of a ViT block share its drop rate (EfficientMod's AttentionBlock)
        Value n = nn.layerNorm("norm1", t, LN_EPS);
        try (var a = b.scope("attn")) {
            t = DropPath.mark(b.ops().add(t, attention(nn, n)), 1, block);
        }
        Value m = nn.layerNorm("norm2", t, LN_EPS);
        try (var s = b.scope("mlp")) {
            m = nn.linear("fc2", gelu(b, nn.linear("fc1", m, dim * mlpRatio, true)), dim, true);
        }
        t = DropPath.mark(b.ops().add(t, m), 1, block);
        return b.ops().reshape(t, 0, h, w, dim);
    }

    /**
     * Multi-head self-attention with head size max(C/8, 32), so the inner width 8*hd may differ from C. The qkv
     * output's last axis is laid out [3][heads][hd], so splitting it in three gives q, k and v.
     */
    private static Value attention(Nn nn, Value t) {
        GraphBuilder b = nn.builder();
        long tokens = t.shape().get(1).size();
        long dim = t.shape().get(2).size();
        long headDim = Math.max(dim / HEADS, MIN_HEAD_DIM);
        long inner = HEADS * headDim;
        Value qkv = nn.linear("qkv", t, 3 * inner, false);
        List<Value> parts = b.ops().split(qkv, 2, inner, inner, inner);
        Value q = heads(b, parts.get(0), tokens, headDim);
        Value k = heads(b, parts.get(1), tokens, headDim);
        Value v = heads(b, parts.get(2), tokens, headDim);
        q = b.ops().mul(q, b.scalar((float) Math.pow(headDim, -0.5)));
        Value attn = b.ops().softmax(b.ops().matMul(q, b.ops().transpose(k, 0, 1, 3, 2)), -1);
        Value o = b.ops().transpose(b.ops().matMul(attn, v), 0, 2, 1, 3);
        return nn.linear("proj", b.ops().reshape(o, 0, tokens, inner), dim, true);
    }

    /** [N, L, heads*hd] -> [N, heads, L, hd]. */
    private static Value heads(GraphBuilder b, Value x, long tokens, long headDim) {
        return b.ops().transpose(b.ops().reshape(x, 0, tokens, HEADS, headDim), 0, 2, 1, 3);
    }

    /** Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)); opset 17 has no Gelu op, ONNX Runtime fuses this pattern. */
    static Value gelu(GraphBuilder b, Value x) {
        Value e = b.ops().erf(b.ops().div(x, b.scalar((float) Math.sqrt(2.0))));
        return b.ops().mul(b.ops().mul(x, b.scalar(0.5f)), b.ops().add(e, b.scalar(1f)));
    }
}

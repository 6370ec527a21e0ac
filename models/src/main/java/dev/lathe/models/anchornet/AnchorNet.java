package dev.lathe.models.anchornet;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;

/**
 * AnchorNet: stem conv3x3/2 (no padding) + BN + swish, seven MBConv blocks with squeeze-excitation and no padding
 * anywhere, exp_conv 1x1 96->512 with bias, then GAP + fc. Three outputs, as the repository's forward returns them:
 * {@code features} [N, 512, 17, 17] at 224x224 (the CAM source), {@code fc_weight} (the classifier weight the CAM
 * uses) and {@code logits}. A stride-1 block that keeps its width adds its input cropped at the top-left
 * ({@code x[:, :, :-d, :-d]}), since the unpadded 3x3 depthwise conv shrinks the map by 2.
 */
public final class AnchorNet {
    /** (kernel, in, expansion, out, stride) per block of {@code bneck}. */
    private static final double[][] BLOCKS = {
        {3, 16, 1, 16, 2}, {3, 16, 3, 24, 2}, {3, 24, 4, 24, 1}, {3, 24, 4, 48, 1}, {3, 48, 2, 96, 1},
        {3, 96, 1.5, 96, 1}, {3, 96, 1.5, 96, 1}};
    private static final double SE_RATIO = 0.25;

    private AnchorNet() {}

    public static Model build(String name, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        x = swish(b, nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 16, ConvAttrs.of(3, 2, 0), false)));
        try (var s = b.scope("bneck")) {
            for (int i = 0; i < BLOCKS.length; i++) {
                double[] r = BLOCKS[i];
                try (var blk = b.scope(Integer.toString(i))) {
                    x = block(nn, x, (long) r[0], r[2], (long) r[3], (int) r[4]);
                }
            }
        }
        Value features = nn.conv2d("exp_conv", x, 512, ConvAttrs.of(1, 1, 0), true);
        Value pooled;
        try (var s = b.scope("avg_pool")) {
            pooled = b.ops().flatten(b.ops().globalAveragePool(features), 1);
        }
        Value logits = nn.linear("fc", pooled, c.classes(), true);
        b.output(features, "features");
        b.output(b.graph().initializer("fc.weight"), "fc_weight");
        b.output(logits, ModelInputs.OUTPUT);
        return b.build();
    }

    private static Value block(Nn nn, Value x, long kernel, double expand, long out, int stride) {
        GraphBuilder b = nn.builder();
        long in = x.shape().get(1).size();
        long channels = (long) (expand * in);
        Value h;
        if (expand == 1) {
            unusedExpansion(nn, in, channels);
            h = x;
        } else {
            h = swish(b, nn.batchNorm2d("bn1", nn.conv2d("conv1", x, channels, ConvAttrs.of(1, 1, 0), false)));
        }
        h = nn.conv2d("conv2", h, channels, ConvAttrs.of(kernel, stride, 0).withGroups(channels), false);
        h = swish(b, nn.batchNorm2d("bn2", h));
        try (var s = b.scope("se")) {
            Value g = b.ops().globalAveragePool(h);
            g = swish(b, nn.conv2d("se1", g, (long) (in * SE_RATIO), ConvAttrs.of(1, 1, 0), true));
            g = b.ops().sigmoid(nn.conv2d("se2", g, channels, ConvAttrs.of(1, 1, 0), true));
            h = b.ops().mul(h, g);
        }
        h = nn.batchNorm2d("bn3", nn.conv2d("conv3", h, out, ConvAttrs.of(1, 1, 0), false));
        if (stride != 1 || in != out) {
            return h;
        }
        long size = h.shape().get(2).size();
        Value cropped = b.ops().slice(x, new long[] {0, 0}, new long[] {size, size}, new long[] {2, 3},
                new long[] {1, 1});
        return b.ops().add(h, cropped);
    }

    /**
     * The repository builds conv1/bn1 even when the expansion is 1 and its forward skips them, so they are in every
     * checkpoint and in {@code parameters()}: they are added as initializers that no node reads.
     */
    private static void unusedExpansion(Nn nn, long in, long channels) {
        GraphBuilder b = nn.builder();
        try (var s = b.scope("conv1")) {
            b.param("weight", nn.normal(Math.sqrt(2.0 / channels), channels, in, 1, 1));
        }
        try (var s = b.scope("bn1")) {
            b.param("weight", Nn.fill(1f, channels));
            b.param("bias", Nn.fill(0f, channels));
            b.param("running_mean", Nn.fill(0f, channels));
            b.param("running_var", Nn.fill(1f, channels));
        }
    }

    private static Value swish(GraphBuilder b, Value x) {
        return b.ops().mul(x, b.ops().sigmoid(x));
    }
}

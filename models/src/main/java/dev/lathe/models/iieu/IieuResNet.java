package dev.lathe.models.iieu;

import dev.lathe.graph.train.DropPath;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;

/**
 * IIEU-B ResNets (timm layout, Bottleneck only): stem conv7x7/2 + BN + IIEU ({@code act1}, reading the image) +
 * maxpool; every Bottleneck conv is followed by BN and IIEU ({@code act1..3}), the projection shortcut too
 * ({@code act_res}, reading the block input), and the residual add has no activation after it. Head: GAP + fc.
 * IIEU-DC ({@code dynamicScaler}) replaces every block's residual add by a {@link DynamicScaler} named
 * {@code scaler} ({@link DynamicScaler.Variant#RESNET}: hidden width C/16).
 */
public final class IieuResNet {
    public static final int[] RESNET14 = {1, 1, 1, 1};
    public static final int[] RESNET26 = {2, 2, 2, 2};
    public static final int[] RESNET50 = {3, 4, 6, 3};

    private IieuResNet() {}

    /** IIEU-B ({@code dynamicScaler} false) or IIEU-DC ({@code dynamicScaler} true) ResNet. */
    public static Model build(String name, int[] layers, boolean dynamicScaler, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value image = ModelInputs.image(b, c);
        ConvAttrs stem = ConvAttrs.of(7, 2, 3);
        Value x = convBnIieu(nn, "conv1", "bn1", "act1", image, 64, stem);
        try (var s = b.scope("maxpool")) {
            x = b.ops().maxPool(x, ConvAttrs.of(3, 2, 1));
        }
        int[] planes = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            try (var s = b.scope("layer" + (stage + 1))) {
                for (int i = 0; i < layers[stage]; i++) {
                    try (var blk = b.scope(Integer.toString(i))) {
                        x = bottleneck(nn, x, planes[stage], i == 0 && stage > 0 ? 2 : 1, dynamicScaler);
                    }
                }
            }
        }
        try (var s = b.scope("global_pool")) {
            x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        }
        b.output(nn.linear("fc", x, c.classes(), true), ModelInputs.OUTPUT);
        return b.build();
    }

    /**
     * One timm Bottleneck (expansion 4) in the current scope: conv1/bn1/act1 .. conv3/bn3/act3, and for a stride or
     * width change a projection shortcut {@code downsample.0/1} with its own IIEU-B {@code act_res}; the branch and
     * shortcut meet in an add (IIEU-B) or a {@code scaler} (IIEU-DC, {@code dynamicScaler}).
     */
    public static Value bottleneck(Nn nn, Value x, long planes, int stride, boolean dynamicScaler) {
        GraphBuilder b = nn.builder();
        Value y = convBnIieu(nn, "conv1", "bn1", "act1", x, planes, ConvAttrs.of(1, 1, 0));
        y = convBnIieu(nn, "conv2", "bn2", "act2", y, planes, ConvAttrs.of(3, stride, 1));
        y = convBnIieu(nn, "conv3", "bn3", "act3", y, planes * 4, ConvAttrs.of(1, 1, 0));
        Value residual = x;
        if (stride != 1 || x.shape().get(1).size() != planes * 4) {
            ConvAttrs down = ConvAttrs.of(1, stride, 0);
            Value conv;
            try (var s = b.scope("downsample")) {
                conv = nn.conv2d("0", x, planes * 4, down, false);
                residual = nn.batchNorm2d("1", conv);
            }
            residual = Iieu.apply(nn, "act_res", residual, x, weightOf(conv), down);
        }
        return dynamicScaler ? DynamicScaler.apply(nn, "scaler", y, residual, DynamicScaler.Variant.RESNET)
                : DropPath.mark(b.ops().add(y, residual), 0, b.prefix());
    }

    private static Value convBnIieu(Nn nn, String conv, String bn, String act, Value x, long out, ConvAttrs a) {
        Value y = nn.conv2d(conv, x, out, a, false);
        Value w = weightOf(y);
        return Iieu.apply(nn, act, nn.batchNorm2d(bn, y), x, w, a);
    }

    /** The weight initializer of the Conv that produced {@code convOutput}. */
    private static Value weightOf(Value convOutput) {
        return convOutput.producer().input(1);
    }
}

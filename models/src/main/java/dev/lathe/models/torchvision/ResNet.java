package dev.lathe.models.torchvision;

import dev.lathe.graph.train.DropPath;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;
import java.util.function.BiFunction;

/**
 * torchvision.models.resnet: stem conv7x7/2 + BN + ReLU + maxpool3x3/2, four stages of BasicBlocks or Bottlenecks
 * (stride in the 3x3 conv, "ResNet v1.5"), projection shortcut conv1x1+BN where shape changes, global average pool,
 * Linear head. Keys: {@code conv1.weight, bn1.*, layer1.0.conv1.weight, layer2.0.downsample.0.weight, fc.*}.
 */
public final class ResNet {
    /** Block kind and widths; {@code groups}/{@code widthPerGroup} give ResNeXt. */
    public record Spec(boolean bottleneck, int[] layers, int groups, int widthPerGroup) {
        public int expansion() {
            return bottleneck ? 4 : 1;
        }
    }

    /**
     * The activation after each BN that has one and after the residual add. {@code name} is the timm module name
     * ({@code act1}, {@code act2}, {@code act3}), under which an activation with parameters (PReLU) keeps them.
     */
    @FunctionalInterface
    public interface Activation {
        Value apply(Nn nn, String name, Value x);
    }

    /** torchvision's ReLU, which has no parameters. */
    public static final Activation RELU = (nn, name, x) -> nn.builder().ops().relu(x);

    public static final Spec RESNET18 = new Spec(false, new int[] {2, 2, 2, 2}, 1, 64);
    public static final Spec RESNET34 = new Spec(false, new int[] {3, 4, 6, 3}, 1, 64);
    public static final Spec RESNET50 = new Spec(true, new int[] {3, 4, 6, 3}, 1, 64);
    public static final Spec RESNET101 = new Spec(true, new int[] {3, 4, 23, 3}, 1, 64);
    public static final Spec RESNEXT50_32X4D = new Spec(true, new int[] {3, 4, 6, 3}, 32, 4);

    private ResNet() {}

    /** The torchvision model with its nn.Linear head named {@code fc}. */
    public static Model build(String name, Spec spec, ZooConfig c) {
        return build(name, spec, c, (nn, features) -> nn.linear("fc", features, c.classes(), true));
    }

    /**
     * The ResNet trunk with a caller-chosen head; {@code head} receives the pooled {@code [N, C]} features and
     * returns the logits (CIC swaps in a cosine classifier).
     */
    public static Model build(String name, Spec spec, ZooConfig c, BiFunction<Nn, Value, Value> head) {
        return build(name, spec, c, head, RELU);
    }

    /** The ResNet with {@code act} in place of every ReLU (the IIEU paper's activation baselines). */
    public static Model build(String name, Spec spec, ZooConfig c, BiFunction<Nn, Value, Value> head,
            Activation act) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        x = nn.conv2d("conv1", x, 64, ConvAttrs.of(7, 2, 3), false);
        x = act.apply(nn, "act1", nn.batchNorm2d("bn1", x));
        try (var s = b.scope("maxpool")) {
            x = b.ops().maxPool(x, ConvAttrs.of(3, 2, 1));
        }
        int[] planes = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            try (var s = b.scope("layer" + (stage + 1))) {
                for (int i = 0; i < spec.layers()[stage]; i++) {
                    int stride = (i == 0 && stage > 0) ? 2 : 1;
                    try (var blk = b.scope(Integer.toString(i))) {
                        x = spec.bottleneck() ? bottleneck(nn, x, planes[stage], stride, spec, act)
                                : basicBlock(nn, x, planes[stage], stride, act);
                    }
                }
            }
        }
        try (var s = b.scope("avgpool")) {
            x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        }
        b.output(head.apply(nn, x), ModelInputs.OUTPUT);
        return b.build();
    }

    static Value basicBlock(Nn nn, Value x, long planes, int stride, Activation act) {
        GraphBuilder b = nn.builder();
        Value y = nn.conv2d("conv1", x, planes, ConvAttrs.of(3, stride, 1), false);
        y = act.apply(nn, "act1", nn.batchNorm2d("bn1", y));
        y = nn.conv2d("conv2", y, planes, ConvAttrs.of(3, 1, 1), false);
        y = nn.batchNorm2d("bn2", y);
        return act.apply(nn, "act2", DropPath.mark(b.ops().add(y, shortcut(nn, x, planes, stride)), 0, b.prefix()));
    }

    static Value bottleneck(Nn nn, Value x, long planes, int stride, Spec spec, Activation act) {
        GraphBuilder b = nn.builder();
        long width = planes * spec.widthPerGroup() / 64 * spec.groups();
        Value y = nn.conv2d("conv1", x, width, ConvAttrs.of(1, 1, 0), false);
        y = act.apply(nn, "act1", nn.batchNorm2d("bn1", y));
        y = nn.conv2d("conv2", y, width, ConvAttrs.of(3, stride, 1).withGroups(spec.groups()), false);
        y = act.apply(nn, "act2", nn.batchNorm2d("bn2", y));
        y = nn.conv2d("conv3", y, planes * 4, ConvAttrs.of(1, 1, 0), false);
        y = nn.batchNorm2d("bn3", y);
        return act.apply(nn, "act3", DropPath.mark(b.ops().add(y, shortcut(nn, x, planes * 4, stride)), 0,
                b.prefix()));
    }

    /** Identity, or torchvision's {@code downsample = Sequential(conv1x1(stride), BatchNorm2d)}. */
    private static Value shortcut(Nn nn, Value x, long out, int stride) {
        if (stride == 1 && x.shape().get(1).size() == out) {
            return x;
        }
        try (var s = nn.builder().scope("downsample")) {
            return nn.batchNorm2d("1", nn.conv2d("0", x, out, ConvAttrs.of(1, stride, 0), false));
        }
    }
}

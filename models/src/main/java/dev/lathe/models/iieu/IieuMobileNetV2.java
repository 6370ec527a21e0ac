package dev.lathe.models.iieu;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;

/**
 * IIEU-B MobileNetV2 x0.17 (SEEDS.md 1.3): widths {@code _make_divisible(c * 0.17, 8)}, last conv 1280 unscaled,
 * every conv but the projection followed by BN and IIEU-B reading that conv's input. Keys: {@code layer_open.{0,1,2}},
 * {@code features.i.conv1.{0,1}, act1, conv2.{0,1}, act2, conv3.{0,1}} (t=1 blocks: depthwise {@code conv1},
 * {@code act1}, projection {@code conv2}), {@code conv.{0,1,2}}, {@code classifier}. IIEU-DC ({@code dynamicScaler})
 * replaces each identity add by a {@link DynamicScaler} {@code features.i.scaler}
 * ({@link DynamicScaler.Variant#MOBILENET_V2}: hidden width C/4).
 */
public final class IieuMobileNetV2 {
    private static final double WIDTH = 0.17;
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private IieuMobileNetV2() {}

    /** IIEU-B ({@code dynamicScaler} false) or IIEU-DC ({@code dynamicScaler} true) MobileNetV2 x0.17. */
    public static Model build(String name, boolean dynamicScaler, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        try (var s = b.scope("layer_open")) {
            x = convBnIieu(nn, x, makeDivisible(32 * WIDTH), ConvAttrs.of(3, 2, 1), "2");
        }
        int index = 0;
        try (var f = b.scope("features")) {
            for (int[] row : SETTING) {
                long out = makeDivisible(row[1] * WIDTH);
                for (int i = 0; i < row[2]; i++) {
                    try (var s = b.scope(Integer.toString(index++))) {
                        x = invertedResidual(nn, x, out, i == 0 ? row[3] : 1, row[0], dynamicScaler);
                    }
                }
            }
        }
        try (var s = b.scope("conv")) {
            x = convBnIieu(nn, x, 1280, ConvAttrs.of(1, 1, 0), "2");
        }
        try (var s = b.scope("avgpool")) {
            x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        }
        b.output(nn.linear("classifier", x, c.classes(), true), ModelInputs.OUTPUT);
        return b.build();
    }

    /** The reference code's {@code _make_divisible(v, 8)}: round to a multiple of 8, never 10 % below v. */
    static long makeDivisible(double v) {
        long n = Math.max(8, (long) (v + 4) / 8 * 8);
        return n < 0.9 * v ? n + 8 : n;
    }

    private static Value invertedResidual(Nn nn, Value x, long out, int stride, int expand, boolean dynamicScaler) {
        GraphBuilder b = nn.builder();
        long in = x.shape().get(1).size();
        long hidden = Math.round(in * (double) expand);
        Value y;
        if (expand == 1) {
            y = convBn(nn, "conv1", x, hidden, ConvAttrs.of(3, stride, 1).withGroups(hidden));
            y = Iieu.apply(nn, "act1", y, x, weightOf(y), ConvAttrs.of(3, stride, 1));
            y = convBn(nn, "conv2", y, out, ConvAttrs.of(1, 1, 0));
        } else {
            y = convBn(nn, "conv1", x, hidden, ConvAttrs.of(1, 1, 0));
            Value a1 = Iieu.apply(nn, "act1", y, x, weightOf(y), ConvAttrs.of(1, 1, 0));
            y = convBn(nn, "conv2", a1, hidden, ConvAttrs.of(3, stride, 1).withGroups(hidden));
            y = Iieu.apply(nn, "act2", y, a1, weightOf(y), ConvAttrs.of(3, stride, 1));
            y = convBn(nn, "conv3", y, out, ConvAttrs.of(1, 1, 0));
        }
        if (stride != 1 || in != out) {
            return y;
        }
        return dynamicScaler ? DynamicScaler.apply(nn, "scaler", y, x, DynamicScaler.Variant.MOBILENET_V2)
                : b.ops().add(x, y);
    }

    /** Sequential(conv, BN) named {@code scope.0} and {@code scope.1}; the BN output's producer chain keeps the conv. */
    private static Value convBn(Nn nn, String scope, Value x, long out, ConvAttrs a) {
        try (var s = nn.builder().scope(scope)) {
            return nn.batchNorm2d("1", nn.conv2d("0", x, out, a, false));
        }
    }

    /** Sequential(conv, BN, IIEU) in the current scope: {@code 0}, {@code 1} and {@code act}. */
    private static Value convBnIieu(Nn nn, Value x, long out, ConvAttrs a, String act) {
        Value conv = nn.conv2d("0", x, out, a, false);
        return Iieu.apply(nn, act, nn.batchNorm2d("1", conv), x, conv.producer().input(1), a);
    }

    /** The weight of the Conv under the BatchNormalization that produced {@code bnOutput}. */
    private static Value weightOf(Value bnOutput) {
        return bnOutput.producer().input(0).producer().input(1);
    }
}

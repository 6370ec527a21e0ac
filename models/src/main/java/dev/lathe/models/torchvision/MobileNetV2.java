package dev.lathe.models.torchvision;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;

/**
 * torchvision.models.mobilenet_v2 (width 1.0): inverted residuals with ReLU6, linear bottlenecks, identity add when
 * stride 1 and widths match. Keys follow torchvision's Sequential indices: {@code features.0.0.weight} (stem conv),
 * {@code features.1.conv.0.0.weight} (t=1 depthwise), {@code features.2.conv.0.0.weight} (expansion),
 * {@code features.2.conv.2.weight} (projection), {@code features.18.*}, {@code classifier.1.*}.
 */
public final class MobileNetV2 {
    /** (expansion t, output channels c, repeats n, first stride s), torchvision's inverted_residual_setting. */
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private MobileNetV2() {}

    public static Model build(String name, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        int index = 0;
        try (var f = b.scope("features")) {
            try (var s = b.scope(Integer.toString(index++))) {
                x = convBnRelu6(nn, x, 32, ConvAttrs.of(3, 2, 1));
            }
            for (int[] row : SETTING) {
                for (int i = 0; i < row[2]; i++) {
                    try (var s = b.scope(Integer.toString(index++))) {
                        x = invertedResidual(nn, x, row[1], i == 0 ? row[3] : 1, row[0]);
                    }
                }
            }
            try (var s = b.scope(Integer.toString(index))) {
                x = convBnRelu6(nn, x, 1280, ConvAttrs.of(1, 1, 0));
            }
        }
        try (var s = b.scope("avgpool")) {
            x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        }
        try (var s = b.scope("classifier")) { // classifier.0 is Dropout, absent in inference
            x = nn.linear("1", x, c.classes(), true);
        }
        b.output(x, ModelInputs.OUTPUT);
        return b.build();
    }

    /** torchvision's Conv2dNormActivation: keys {@code 0.weight} (conv, no bias) and {@code 1.*} (BN), ReLU6. */
    public static Value convBnRelu6(Nn nn, Value x, long out, ConvAttrs a) {
        Value y = nn.batchNorm2d("1", nn.conv2d("0", x, out, a, false));
        return nn.builder().ops().clip(y, 0f, 6f);
    }

    /**
     * torchvision's InvertedResidual in the current scope (keys {@code conv.0.*} .. {@code conv.3.*}): 1x1 expansion
     * (absent for expand 1), 3x3 depthwise with the stride, linear 1x1 projection, identity add when shapes allow.
     */
    public static Value invertedResidual(Nn nn, Value x, long out, int stride, int expand) {
        GraphBuilder b = nn.builder();
        long in = x.shape().get(1).size();
        long hidden = in * expand;
        Value y = x;
        int i = 0;
        try (var s = b.scope("conv")) {
            if (expand != 1) {
                try (var pw = b.scope(Integer.toString(i++))) {
                    y = convBnRelu6(nn, y, hidden, ConvAttrs.of(1, 1, 0));
                }
            }
            try (var dw = b.scope(Integer.toString(i++))) {
                y = convBnRelu6(nn, y, hidden, ConvAttrs.of(3, stride, 1).withGroups(hidden));
            }
            y = nn.conv2d(Integer.toString(i++), y, out, ConvAttrs.of(1, 1, 0), false);
            y = nn.batchNorm2d(Integer.toString(i), y);
        }
        return stride == 1 && in == out ? b.ops().add(x, y) : y;
    }
}

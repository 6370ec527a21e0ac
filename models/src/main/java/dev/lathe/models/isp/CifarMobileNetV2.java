package dev.lathe.models.isp;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;

/**
 * ISP's CIFAR MobileNetV2: stem conv3x3 stride 1 (3->32), blocks (t, c, n, s) with the first two downsampling
 * strides of ImageNet's setting removed, ReLU (not ReLU6), an expansion conv even for t=1, a residual on every
 * stride-1 block (identity when widths match, else {@code shortcut.0} conv1x1 + {@code shortcut.1} BN), conv1x1
 * 320->1280 + BN + ReLU, global average pool and {@code linear}. Keys: {@code conv1, bn1, layers.i.conv1..3,
 * layers.i.bn1..3, layers.i.shortcut.*, conv2, bn2, linear}.
 */
public final class CifarMobileNetV2 {
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 1}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private CifarMobileNetV2() {}

    public static Model build(String name, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 32, ConvAttrs.of(3, 1, 1), false)));
        int index = 0;
        try (var l = b.scope("layers")) {
            for (int[] row : SETTING) {
                for (int i = 0; i < row[2]; i++) {
                    try (var s = b.scope(Integer.toString(index++))) {
                        x = block(nn, x, row[1], row[0], i == 0 ? row[3] : 1);
                    }
                }
            }
        }
        x = b.ops().relu(nn.batchNorm2d("bn2", nn.conv2d("conv2", x, 1280, ConvAttrs.of(1, 1, 0), false)));
        try (var s = b.scope("avgpool")) {
            x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        }
        b.output(nn.linear("linear", x, c.classes(), true), ModelInputs.OUTPUT);
        return b.build();
    }

    private static Value block(Nn nn, Value x, long out, long expansion, int stride) {
        GraphBuilder b = nn.builder();
        long in = x.shape().get(1).size();
        long planes = expansion * in;
        Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, planes, ConvAttrs.of(1, 1, 0), false)));
        y = nn.conv2d("conv2", y, planes, ConvAttrs.of(3, stride, 1).withGroups(planes), false);
        y = b.ops().relu(nn.batchNorm2d("bn2", y));
        y = nn.batchNorm2d("bn3", nn.conv2d("conv3", y, out, ConvAttrs.of(1, 1, 0), false));
        if (stride != 1) {
            return y;
        }
        Value shortcut = x;
        if (in != out) {
            try (var s = b.scope("shortcut")) {
                shortcut = nn.batchNorm2d("1", nn.conv2d("0", x, out, ConvAttrs.of(1, 1, 0), false));
            }
        }
        return b.ops().add(y, shortcut);
    }
}

package dev.lathe.models.isp;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;

/**
 * ISP's CIFAR ResNet-56: stem conv3x3 3->16 + BN + ReLU, three stages of nine BasicBlocks at 16/32/64 channels,
 * global average pool (the repository's AvgPool2d(8) at 32x32), Linear {@code fc}. The option-A shortcut is the
 * repository's {@code downsample_basic_block}: AvgPool2d(2, 2) then zero channels appended after the existing ones
 * (not split evenly before and after, as the original ResNet paper's pad does).
 */
public final class CifarResNet56 {
    private static final int BLOCKS = 9;

    private CifarResNet56() {}

    public static Model build(String name, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 16, ConvAttrs.of(3, 1, 1), false)));
        long[] planes = {16, 32, 64};
        for (int stage = 0; stage < 3; stage++) {
            try (var s = b.scope("layer" + (stage + 1))) {
                for (int i = 0; i < BLOCKS; i++) {
                    try (var blk = b.scope(Integer.toString(i))) {
                        x = basicBlock(nn, x, planes[stage], i == 0 && stage > 0 ? 2 : 1);
                    }
                }
            }
        }
        try (var s = b.scope("avgpool")) {
            x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        }
        b.output(nn.linear("fc", x, c.classes(), true), ModelInputs.OUTPUT);
        return b.build();
    }

    private static Value basicBlock(Nn nn, Value x, long planes, int stride) {
        GraphBuilder b = nn.builder();
        Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, planes, ConvAttrs.of(3, stride, 1), false)));
        y = nn.batchNorm2d("bn2", nn.conv2d("conv2", y, planes, ConvAttrs.of(3, 1, 1), false));
        Value shortcut = x;
        long in = x.shape().get(1).size();
        if (stride != 1 || in != planes) {
            try (var s = b.scope("downsample")) {
                shortcut = b.ops().averagePool(x, ConvAttrs.of(2, 2, 0), true);
                shortcut = b.ops().pad(shortcut, 0, 0, 0, 0, 0, planes - in, 0, 0);
            }
        }
        return b.ops().relu(b.ops().add(y, shortcut));
    }
}

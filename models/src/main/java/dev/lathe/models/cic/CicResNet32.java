package dev.lathe.models.cic;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;

/**
 * CIC's CIFAR ResNet-32 ({@code ResNet_s}, factor 4): stem conv3x3 3->64 + BN + ReLU, three stages of five
 * BasicBlocks at 64/128/256 channels (stride 2 in the first conv of stages 2 and 3), option-B shortcut
 * {@code shortcut.0} (conv1x1, stride) + {@code shortcut.1} (BN) where the shape changes, global average pool and a
 * {@link NormedLinear} head {@code fc}. 7.45 M parameters, 1.10 GMACs at 32x32.
 */
public final class CicResNet32 {
    private static final int FACTOR = 4;
    private static final int BLOCKS = 5;

    private CicResNet32() {}

    public static Model build(String name, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        x = nn.conv2d("conv1", x, 16 * FACTOR, ConvAttrs.of(3, 1, 1), false);
        x = b.ops().relu(nn.batchNorm2d("bn1", x));
        long[] planes = {16 * FACTOR, 32 * FACTOR, 64 * FACTOR};
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
        b.output(NormedLinear.apply(nn, "fc", x, c.classes()), ModelInputs.OUTPUT);
        return b.build();
    }

    private static Value basicBlock(Nn nn, Value x, long planes, int stride) {
        GraphBuilder b = nn.builder();
        Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, planes, ConvAttrs.of(3, stride, 1), false)));
        y = nn.batchNorm2d("bn2", nn.conv2d("conv2", y, planes, ConvAttrs.of(3, 1, 1), false));
        Value shortcut = x;
        if (stride != 1 || x.shape().get(1).size() != planes) {
            try (var s = b.scope("shortcut")) {
                shortcut = nn.batchNorm2d("1", nn.conv2d("0", x, planes, ConvAttrs.of(1, stride, 0), false));
            }
        }
        return b.ops().relu(b.ops().add(y, shortcut));
    }
}

package dev.lathe.models.torchvision;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;

/**
 * torchvision.models.densenet (growth 32, bottleneck 4x, compression 0.5): each dense layer is
 * BN-ReLU-conv1x1(128)-BN-ReLU-conv3x3(32) on the concatenation of all earlier feature maps of its block;
 * transitions are BN-ReLU-conv1x1(C/2)-avgpool2x2; the head is BN-ReLU-GAP-Linear. Keys:
 * {@code features.conv0.weight, features.denseblock1.denselayer1.norm1.*, features.transition1.conv.weight,
 * features.norm5.*, classifier.*}.
 */
public final class DenseNet {
    public static final int[] DENSENET121 = {6, 12, 24, 16};
    public static final int[] DENSENET201 = {6, 12, 48, 32};
    private static final long GROWTH = 32;
    private static final long BOTTLENECK = 4;

    private DenseNet() {}

    public static Model build(String name, int[] blocks, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        try (var f = b.scope("features")) {
            x = nn.conv2d("conv0", x, 64, ConvAttrs.of(7, 2, 3), false);
            x = b.ops().relu(nn.batchNorm2d("norm0", x));
            try (var s = b.scope("pool0")) {
                x = b.ops().maxPool(x, ConvAttrs.of(3, 2, 1));
            }
            for (int i = 0; i < blocks.length; i++) {
                try (var s = b.scope("denseblock" + (i + 1))) {
                    x = denseBlock(nn, x, blocks[i]);
                }
                if (i != blocks.length - 1) {
                    try (var s = b.scope("transition" + (i + 1))) {
                        x = b.ops().relu(nn.batchNorm2d("norm", x));
                        x = nn.conv2d("conv", x, x.shape().get(1).size() / 2, ConvAttrs.of(1, 1, 0), false);
                        try (var p = b.scope("pool")) {
                            x = b.ops().averagePool(x, ConvAttrs.of(2, 2, 0), true);
                        }
                    }
                }
            }
            x = nn.batchNorm2d("norm5", x);
        }
        x = b.ops().relu(x);
        x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        b.output(nn.linear("classifier", x, c.classes(), true), ModelInputs.OUTPUT);
        return b.build();
    }

    /**
     * The block keeps one running concatenation: layer j reads [x, new_1 .. new_{j-1}] and appends new_j, which is
     * the tensor torchvision's {@code torch.cat(prev_features, 1)} forms for layer j.
     */
    private static Value denseBlock(Nn nn, Value x, int layers) {
        GraphBuilder b = nn.builder();
        for (int j = 0; j < layers; j++) {
            try (var s = b.scope("denselayer" + (j + 1))) {
                Value y = b.ops().relu(nn.batchNorm2d("norm1", x));
                y = nn.conv2d("conv1", y, BOTTLENECK * GROWTH, ConvAttrs.of(1, 1, 0), false);
                y = b.ops().relu(nn.batchNorm2d("norm2", y));
                y = nn.conv2d("conv2", y, GROWTH, ConvAttrs.of(3, 1, 1), false);
                x = b.ops().concat(1, x, y);
            }
        }
        return x;
    }
}

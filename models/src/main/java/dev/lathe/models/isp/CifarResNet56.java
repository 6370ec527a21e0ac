package dev.lathe.models.isp;

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
        b.output(IspNets.resNet(nn, x, BLOCKS, c.classes(), IspNets.Gates.NONE).logits(), ModelInputs.OUTPUT);
        return b.build();
    }
}

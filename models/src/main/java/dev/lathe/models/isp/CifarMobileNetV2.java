package dev.lathe.models.isp;

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
    private CifarMobileNetV2() {}

    public static Model build(String name, ZooConfig c) {
        GraphBuilder b = new GraphBuilder(name, ModelInputs.OPSET);
        Nn nn = new Nn(b, c.seed());
        Value x = ModelInputs.image(b, c);
        b.output(IspNets.mobileNetV2(nn, x, c.classes(), IspNets.Gates.NONE).logits(), ModelInputs.OUTPUT);
        return b.build();
    }
}

package dev.lathe.models.isp;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks of ISP's CIFAR pipeline written once with the builder, so a step graph can hold several of them
 * under the prefixes of the authors' {@code state_dict}s ({@code bb_model.model.}, {@code predictor.model.},
 * {@code selector.}): the CIFAR ResNet-(6n+2) with optional per-block gates and its three encoder scales, and the
 * selector (amortized explanation model) of {@code Models/ResNetWithGateAEM.py}'s {@code RealTimeSaliencyRBF}.
 */
public final class IspNets {
    /** The selector's initial sigma bias on CIFAR ({@code --initial_sigma 10}). */
    public static final float CIFAR_INITIAL_SIGMA = 10f;

    private IspNets() {}

    /**
     * Multiplies a gated activation: block {@code index}'s inner channels after conv1-BN-ReLU (ResNet), or an
     * expanded hidden activation (MobileNetV2). {@link #NONE} leaves the network as trained.
     */
    @FunctionalInterface
    public interface Gates {
        Value apply(int index, Value activation);

        Gates NONE = (index, activation) -> activation;
    }

    /** The encoder scales (layer1..3 outputs at full, 1/2 and 1/4 resolution) and the logits (null without fc). */
    public record ResNetTaps(Value scale1, Value scale2, Value scale3, Value logits) {}

    /**
     * ISP's CIFAR ResNet with {@code blocks} BasicBlocks per stage (9: ResNet-56), keys {@code conv1, bn1,
     * layer{1,2,3}.i.{conv1,bn1,conv2,bn2}, fc}; {@code classes} 0 builds the encoder only (no pool, no fc).
     */
    public static ResNetTaps resNet(Nn nn, Value x, int blocks, long classes, Gates gates) {
        GraphBuilder b = nn.builder();
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 16, ConvAttrs.of(3, 1, 1), false)));
        long[] planes = {16, 32, 64};
        Value[] scales = new Value[3];
        int gate = 0;
        for (int stage = 0; stage < 3; stage++) {
            try (var s = b.scope("layer" + (stage + 1))) {
                for (int i = 0; i < blocks; i++) {
                    try (var blk = b.scope(Integer.toString(i))) {
                        x = basicBlock(nn, x, planes[stage], i == 0 && stage > 0 ? 2 : 1, gates, gate++);
                    }
                }
            }
            scales[stage] = x;
        }
        Value logits = null;
        if (classes > 0) {
            try (var s = b.scope("avgpool")) {
                x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
            }
            logits = nn.linear("fc", x, classes, true);
        }
        return new ResNetTaps(scales[0], scales[1], scales[2], logits);
    }

    private static Value basicBlock(Nn nn, Value x, long planes, int stride, Gates gates, int gate) {
        GraphBuilder b = nn.builder();
        Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, planes, ConvAttrs.of(3, stride, 1), false)));
        y = gates.apply(gate, y);
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

    /** The CIFAR MobileNetV2 settings (t, c, n, s): ImageNet's with the first two downsampling strides removed. */
    static final int[][] MOBILENET_V2 = {
        {1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 1}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    /** The encoder's scale taps: after these blocks (32 ch at full size, 96 ch at 1/2), then conv2 (1280 at 1/4). */
    static final int[] MOBILENET_V2_TAPS = {5, 12};

    /** The expanded (hidden) width of each CIFAR MobileNetV2 block, the gated channels. */
    public static long[] mobileNetV2Hidden() {
        List<Long> out = new ArrayList<>();
        long in = 32;
        for (int[] row : MOBILENET_V2) {
            for (int i = 0; i < row[2]; i++) {
                out.add(row[0] * in);
                in = row[1];
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * ISP's CIFAR MobileNetV2 (keys {@code conv1, bn1, layers.i.conv{1,2,3}, layers.i.bn{1,2,3},
     * layers.i.shortcut.{0,1}, conv2, bn2, linear}); block i's gate multiplies its hidden activation after pw-BN-ReLU
     * and again after dw-BN-ReLU (the repository applies one virtual_gate twice). Scales: blocks 5 and 12, conv2.
     */
    public static ResNetTaps mobileNetV2(Nn nn, Value x, long classes, Gates gates) {
        GraphBuilder b = nn.builder();
        Ops o = b.ops();
        x = o.relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 32, ConvAttrs.of(3, 1, 1), false)));
        Value[] taps = new Value[3];
        int index = 0;
        try (var l = b.scope("layers")) {
            for (int[] row : MOBILENET_V2) {
                for (int i = 0; i < row[2]; i++) {
                    int k = index++;
                    try (var s = b.scope(Integer.toString(k))) {
                        x = invertedResidual(nn, x, row[1], row[0], i == 0 ? row[3] : 1, gates, k);
                    }
                    if (k == MOBILENET_V2_TAPS[0]) {
                        taps[0] = x;
                    } else if (k == MOBILENET_V2_TAPS[1]) {
                        taps[1] = x;
                    }
                }
            }
        }
        x = o.relu(nn.batchNorm2d("bn2", nn.conv2d("conv2", x, 1280, ConvAttrs.of(1, 1, 0), false)));
        taps[2] = x;
        Value logits = null;
        if (classes > 0) {
            try (var s = b.scope("avgpool")) {
                x = o.flatten(o.globalAveragePool(x), 1);
            }
            logits = nn.linear("linear", x, classes, true);
        }
        return new ResNetTaps(taps[0], taps[1], taps[2], logits);
    }

    private static Value invertedResidual(Nn nn, Value x, long out, long expansion, int stride, Gates gates, int gate) {
        GraphBuilder b = nn.builder();
        Ops o = b.ops();
        long in = dim(x, 1);
        long planes = expansion * in;
        Value y = o.relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, planes, ConvAttrs.of(1, 1, 0), false)));
        y = gates.apply(gate, y);
        y = nn.conv2d("conv2", y, planes, ConvAttrs.of(3, stride, 1).withGroups(planes), false);
        y = gates.apply(gate, o.relu(nn.batchNorm2d("bn2", y)));
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
        return o.add(y, shortcut);
    }

    /**
     * The selector's decoder on encoder scales (call inside the {@code selector} scope; the encoder is built by the
     * caller under {@code selector.resnet}): the label embedding gates scale3 (g = sigmoid(sum_c scale3_c e_c)), two
     * up-blocks to full resolution ({@code uplayer3}: 64 -> 32 with skip scale2, {@code uplayer2}: 32 -> 16 with skip
     * scale1), then {@code saliency_chans}, a bias-carrying conv whose kernel covers the whole map, to the raw RBF
     * parameters [B, 3, 1, 1]; the sigma channel's bias starts at {@code initialSigma}.
     */
    public static Value selector(Nn nn, ResNetTaps enc, Value labels, long classes, float initialSigma) {
        GraphBuilder b = nn.builder();
        Ops o = b.ops();
        long c3 = dim(enc.scale3(), 1);
        Value e;
        try (var s = b.scope("embedding")) {
            e = o.gather(b.param("weight", nn.normal(1.0, classes, c3)), labels, 0); // nn.Embedding: N(0, 1)
        }
        Value act = o.reduceSum(o.mul(enc.scale3(), o.unsqueeze(e, 2, 3)), true, 1);
        Value gated = o.mul(enc.scale3(), o.sigmoid(act));
        Value up2 = upSample(nn, "uplayer3", gated, enc.scale2(), dim(enc.scale2(), 1));
        Value up1 = upSample(nn, "uplayer2", up2, enc.scale1(), dim(enc.scale1(), 1));
        long size = dim(up1, 2);
        Value raw = nn.conv2d("saliency_chans", up1, 3, ConvAttrs.of((int) size, 1, 0), true);
        Value bias = b.graph().initializer(b.qualify("saliency_chans.bias"));
        bias.setConstValue(Tensor.ofFloats(new long[] {3}, 0f, 0f, initialSigma));
        return raw;
    }

    /**
     * UpSampleBlock: {@code upsampler} = conv3x3 (no bias) to 4 out channels + BN + ReLU, pixel shuffle 2
     * (DepthToSpace CRD), ReLU; concat with the skip; {@code follow_up} = a BasicBlock with a conv1x1+BN shortcut.
     */
    static Value upSample(Nn nn, String name, Value x, Value skip, long out) {
        GraphBuilder b = nn.builder();
        Ops o = b.ops();
        try (var s = b.scope(name)) {
            Value y;
            try (var u = b.scope("upsampler"); var c = b.scope("0")) {
                y = o.relu(nn.batchNorm2d("1", nn.conv2d("0", x, 4 * out, ConvAttrs.of(3, 1, 1), false)));
            }
            y = o.relu(o.op("DepthToSpace", attrs("blocksize", Attr.of(2L), "mode", Attr.of("CRD")), y));
            y = o.concat(1, y, skip);
            try (var f = b.scope("follow_up")) {
                return residualBlock(nn, y, out);
            }
        }
    }

    /** The decoder's Block: conv3x3-BN-ReLU-conv3x3-BN + (conv1x1+BN shortcut when widths differ), ReLU. */
    static Value residualBlock(Nn nn, Value x, long planes) {
        GraphBuilder b = nn.builder();
        Ops o = b.ops();
        Value y = o.relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, planes, ConvAttrs.of(3, 1, 1), false)));
        y = nn.batchNorm2d("bn2", nn.conv2d("conv2", y, planes, ConvAttrs.of(3, 1, 1), false));
        Value shortcut = x;
        if (dim(x, 1) != planes) {
            try (var s = b.scope("shortcut")) {
                shortcut = nn.batchNorm2d("1", nn.conv2d("0", x, planes, ConvAttrs.of(1, 1, 0), false));
            }
        }
        return o.relu(o.add(y, shortcut));
    }

    /** A static dimension of a value whose batch may be symbolic. */
    static long dim(Value v, int axis) {
        return v.shape().get(axis).size();
    }
}

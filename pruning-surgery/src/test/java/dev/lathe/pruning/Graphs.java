package dev.lathe.pruning;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.List;
import java.util.Random;

/** Small DSL-built graphs, one per coupling kind the pruner must get right. Input "input" [1,3,8,8]. */
final class Graphs {
    private Graphs() {}

    static final long[] SHAPE = {1, 3, 8, 8};

    private static GraphBuilder builder(String name) {
        return new GraphBuilder(name, 17);
    }

    private static Value input(GraphBuilder b) {
        return b.input("input", DataType.FLOAT, 1, 3, 8, 8);
    }

    private static Value convBnRelu(Nn nn, String name, Value x, long out, ConvAttrs a) {
        Value y = nn.conv2d(name + ".conv", x, out, a, false);
        y = nn.batchNorm2d(name + ".bn", y);
        return nn.builder().ops().relu(y);
    }

    private static Value head(Nn nn, Value x, long classes) {
        GraphBuilder b = nn.builder();
        Value p = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        return nn.linear("fc", p, classes, true);
    }

    /** Gives BatchNorm statistics and affine terms random values, so zeroed and cut channels are not trivially 0. */
    static Model randomizeBn(Model m, long seed) {
        Random r = new Random(seed);
        for (Node n : m.graph().nodes()) {
            if (!n.opType().equals("BatchNormalization")) {
                continue;
            }
            for (int i = 1; i <= 4; i++) {
                Value v = n.input(i);
                long c = v.constValue().numel();
                float[] f = new float[(int) c];
                for (int k = 0; k < c; k++) {
                    f[k] = i == 4 ? 0.5f + r.nextFloat() : (float) r.nextGaussian() * (i == 1 ? 0.5f : 0.3f)
                            + (i == 1 ? 1f : 0f);
                }
                v.setConstValue(Tensor.ofFloats(new long[] {c}, f));
            }
        }
        return m;
    }

    /** Stem, one residual basic block (Add), a 1x1 projection, head. */
    static Model residual() {
        GraphBuilder b = builder("residual");
        Nn nn = new Nn(b, 1);
        Value x = convBnRelu(nn, "stem", input(b), 8, ConvAttrs.same(3));
        Value y = convBnRelu(nn, "b1.1", x, 6, ConvAttrs.same(3));
        y = nn.batchNorm2d("b1.2.bn", nn.conv2d("b1.2.conv", y, 8, ConvAttrs.same(3), false));
        x = b.ops().relu(b.ops().add(y, x));
        Value y2 = convBnRelu(nn, "b2.1", x, 6, ConvAttrs.same(3));
        y2 = nn.batchNorm2d("b2.2.bn", nn.conv2d("b2.2.conv", y2, 8, ConvAttrs.same(3), false));
        x = b.ops().relu(b.ops().add(x, y2));
        x = convBnRelu(nn, "proj", x, 12, ConvAttrs.of(1, 2, 0));
        b.output(head(nn, x, 5), "logits");
        return randomizeBn(b.build(), 11);
    }

    /** DenseNet-style: every layer reads the concatenation of all earlier features. */
    static Model dense() {
        GraphBuilder b = builder("dense");
        Nn nn = new Nn(b, 2);
        Value x0 = convBnRelu(nn, "stem", input(b), 8, ConvAttrs.same(3));
        Value a = nn.conv2d("l1.conv", convBnRelu(nn, "l1.pre", x0, 6, ConvAttrs.of(1, 1, 0)), 4, ConvAttrs.same(3),
                false);
        Value c1 = b.ops().concat(1, x0, a);
        Value bb = nn.conv2d("l2.conv", b.ops().relu(nn.batchNorm2d("l2.bn", c1)), 4, ConvAttrs.same(3), false);
        Value c2 = b.ops().concat(1, x0, a, bb);
        Value t = b.ops().relu(nn.batchNorm2d("tr.bn", c2));
        t = nn.conv2d("tr.conv", t, 6, ConvAttrs.of(1, 1, 0), false);
        b.output(head(nn, t, 5), "logits");
        return randomizeBn(b.build(), 12);
    }

    /** A grouped 3x3 conv (4 groups, ResNeXt-style) between two dense convs. */
    static Model grouped() {
        GraphBuilder b = builder("grouped");
        Nn nn = new Nn(b, 3);
        Value x = convBnRelu(nn, "c1", input(b), 16, ConvAttrs.same(1));
        x = convBnRelu(nn, "c2", x, 16, ConvAttrs.same(3).withGroups(4));
        x = convBnRelu(nn, "c3", x, 8, ConvAttrs.same(1));
        b.output(head(nn, x, 5), "logits");
        return randomizeBn(b.build(), 13);
    }

    /** MobileNet-style: expand, depthwise (and a multiplier-2 depthwise), project, ReLU6 via Clip. */
    static Model depthwise() {
        GraphBuilder b = builder("depthwise");
        Nn nn = new Nn(b, 4);
        Value x = convBnRelu(nn, "c1", input(b), 8, ConvAttrs.same(3));
        Value d = nn.batchNorm2d("dw.bn", nn.conv2d("dw.conv", x, 8, ConvAttrs.same(3).withGroups(8), false));
        d = b.ops().clip(d, 0f, 6f);
        d = convBnRelu(nn, "pw", d, 6, ConvAttrs.same(1));
        Value m2 = nn.conv2d("dw2.conv", d, 12, ConvAttrs.same(3).withGroups(6), true);
        m2 = b.ops().relu(m2);
        m2 = convBnRelu(nn, "pw2", m2, 8, ConvAttrs.same(1));
        b.output(head(nn, m2, 5), "logits");
        return randomizeBn(b.build(), 14);
    }

    /** VGG-style head: Flatten of a 4x4 map straight into Gemm, so one channel owns 16 Gemm columns. */
    static Model flattenGemm() {
        GraphBuilder b = builder("flatten_gemm");
        Nn nn = new Nn(b, 5);
        Value x = convBnRelu(nn, "c1", input(b), 6, ConvAttrs.same(3));
        x = b.ops().maxPool(x, ConvAttrs.of(2, 2, 0));
        Value f = b.ops().flatten(x, 1);
        f = b.ops().relu(nn.linear("fc1", f, 10, true));
        b.output(nn.linear("fc2", f, 5, true), "logits");
        return randomizeBn(b.build(), 15);
    }

    /** CIC's cosine classifier: normalize(x) @ normalize(W, dim=0) with W stored [in, out]. */
    static Model normedLinear() {
        GraphBuilder b = builder("normed_linear");
        Nn nn = new Nn(b, 6);
        Value x = convBnRelu(nn, "c1", input(b), 8, ConvAttrs.same(3));
        x = convBnRelu(nn, "c2", x, 8, ConvAttrs.same(3));
        Value f = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        Value fn = b.ops().div(f, b.ops().max(b.ops().reduceL2(f, true, 1), b.scalar(1e-12f)));
        Value w = b.param("fc.weight", nn.normal(0.5, 8, 5));
        Value wn = b.ops().div(w, b.ops().max(b.ops().reduceL2(w, true, 0), b.scalar(1e-12f)));
        b.output(b.ops().matMul(fn, wn), "logits");
        return randomizeBn(b.build(), 16);
    }

    /**
     * Shape-constant couplings: channel Split with its sizes, a channel Slice, a Reshape to [N,C,HW] and Transpose to
     * channel-last, LayerNorm over channels and a MatMul, PRelu, an SE-style Mul, a Tile along the channels, and a
     * ConvTranspose.
     */
    static Model shapes() {
        GraphBuilder b = builder("shapes");
        Nn nn = new Nn(b, 7);
        Value x = convBnRelu(nn, "c1", input(b), 8, ConvAttrs.same(3));
        List<Value> parts = b.ops().split(x, 1, 4, 4);
        Value p0 = nn.conv2d("s0", parts.get(0), 4, ConvAttrs.same(3), false);
        Value p1 = nn.conv2d("s1", parts.get(1), 4, ConvAttrs.same(3), false);
        Value y = b.ops().concat(1, p0, p1);
        Value slope = b.param("prelu.slope", nn.normal(0.2, 8, 1, 1));
        y = b.op("PRelu", List.of(y, slope), java.util.Map.of());
        Value se = b.ops().sigmoid(nn.conv2d("se", b.ops().globalAveragePool(y), 8, ConvAttrs.same(1), true));
        y = b.ops().mul(y, se);
        Value sl = b.ops().slice(y, new long[] {2}, new long[] {Long.MAX_VALUE}, new long[] {1}, new long[] {1});
        Value z = nn.conv2d("after_slice", sl, 6, ConvAttrs.same(3), true);
        Value up = nn.conv2d("tconv.pre", z, 6, ConvAttrs.same(1), false);
        Value tw = b.param("tconv.weight", nn.normal(0.3, 6, 4, 2, 2));
        Value t = b.op("ConvTranspose", List.of(up, tw), java.util.Map.of("strides",
                new dev.lathe.graph.ir.Attr.IntsAttr(new long[] {2, 2})));
        t = b.ops().averagePool(t, ConvAttrs.of(2, 2, 0), true);
        Value tiled = b.ops().tile(nn.conv2d("tile.pre", t, 3, ConvAttrs.same(1), false), 1, 2, 1, 1);
        Value r = b.ops().reshape(tiled, 1, 6, 64);
        r = b.ops().transpose(r, 0, 2, 1);
        r = nn.layerNorm("ln", r, 1e-5f);
        Value wm = b.param("proj.weight", nn.normal(0.3, 6, 4));
        r = b.ops().matMul(r, wm);
        r = b.ops().reduceMean(r, false, 1);
        b.output(r, "logits");
        return randomizeBn(b.build(), 17);
    }

    /** Per-channel normalizations other than BatchNorm: InstanceNormalization between two convs. */
    static Model normalizations() {
        GraphBuilder b = builder("norms");
        Nn nn = new Nn(b, 8);
        Value x = convBnRelu(nn, "c1", input(b), 8, ConvAttrs.same(3));
        Value y = nn.conv2d("c2.conv", x, 8, ConvAttrs.same(3), true);
        y = b.op("InstanceNormalization", List.of(y, b.param("in.scale", nn.normal(0.5, 8)),
                b.param("in.bias", nn.normal(0.2, 8))), java.util.Map.of());
        y = b.ops().relu(y);
        b.output(head(nn, convBnRelu(nn, "c3", y, 6, ConvAttrs.same(3)), 5), "logits");
        return randomizeBn(b.build(), 18);
    }

    /**
     * Reductions: a ReduceSum over the channels (exact, cut channels hold zeros) gates the features, a ReduceMean
     * over the spatial axes without keepdims feeds a Gemm, and a Softmax runs over the spatial axis.
     */
    static Model reductions() {
        GraphBuilder b = builder("reductions");
        Nn nn = new Nn(b, 9);
        Value x = convBnRelu(nn, "c1", input(b), 8, ConvAttrs.same(3));
        Value gate = b.ops().sigmoid(b.ops().reduceSum(x, true, 1));
        Value y = convBnRelu(nn, "c2", b.ops().mul(x, gate), 8, ConvAttrs.same(3));
        y = b.ops().softmax(y, -1);
        Value pooled = b.ops().reduceMean(y, false, 2, 3);
        b.output(nn.linear("fc", pooled, 5, true), "logits");
        return randomizeBn(b.build(), 19);
    }

    /** Spatial Pad (constant zeros) and a nearest Resize between convs: both leave the channels alone. */
    static Model resizePad() {
        GraphBuilder b = builder("resize_pad");
        Nn nn = new Nn(b, 10);
        Value x = convBnRelu(nn, "c1", input(b), 8, ConvAttrs.same(3));
        x = b.ops().pad(x, 0, 0, 1, 1, 0, 0, 1, 1);
        x = b.op("Resize", List.of(x, b.constant(Tensor.ofFloats(new long[] {0})),
                b.constant(Tensor.ofFloats(new long[] {4}, 1f, 1f, 2f, 2f))), java.util.Map.of("mode",
                dev.lathe.graph.ir.Attr.of("nearest")));
        b.output(head(nn, convBnRelu(nn, "c2", x, 6, ConvAttrs.of(3, 2, 0)), 5), "logits");
        return randomizeBn(b.build(), 20);
    }
}

package dev.lathe.runtime.ort;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.pass.Pass;
import dev.lathe.graph.pass.PassResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the convolutions whose weights are not constants on ONNX Runtime's blocked-layout (NCHWc) CPU kernels. ORT's
 * own NCHWc transformer converts only Convs with constant weights, so in a train step, where the weights are graph
 * inputs and the backward's input-gradient Conv uses a computed weight, every Conv fell back to the plain im2col
 * kernel (resnet18: 20 of 20 inference Convs run blocked, 0 of 50 train-step Convs). Each 2-D Conv, group 1 or
 * depthwise (group = channels, one filter each), with input and output channels divisible by the block becomes
 * {@code com.microsoft.nchwc ReorderInput -> Conv -> ReorderOutput}, its weight reordered in-graph to the layout
 * OIhw{B}i{B}o that the kernel reads ([O/B][C/B][kh][kw][B in][B out]; depthwise [C/B][kh][kw][B]) by one or two
 * transposes. 1x1 Convs and Convs with little work per weight element stay plain (see {@link #MIN_OUTPUT_PIXELS}).
 * The block is ORT's MLAS NCHWc block for the machine (16 with AVX-512, 8 with AVX2), found at run time by
 * {@link OrtNchwc}; the output is ORT-CPU-specific and must not be saved as a portable model.
 */
public final class NchwcConvRewrite implements Pass {
    public static final String DOMAIN = "com.microsoft.nchwc";
    /**
     * The blocked kernel saves time in proportion to the Conv's work per weight element (its N*Ho*Wo output
     * pixels) and the in-graph weight reorder costs time per weight element (9 ms for a 512x512x3x3 weight, 2
     * threads). Measured on resnet18's train step at batch 16: with a 2x slower reorder, 3136-pixel Convs (layer3)
     * gained 5-12 ms each and 784-pixel ones (layer4) lost 5-15 ms; with the current reorder layer4 gains (its Convs
     * and reorders 233 vs 263 ms per step). Smaller Convs were not measured and stay plain. 1x1 Convs are never
     * rewritten: ORT runs them as one GEMM without im2col, and the activation reorders made mobilenet_v2's step 12%
     * slower.
     */
    public static final long MIN_OUTPUT_PIXELS = 512;

    private final long block;
    private final long minOutputPixels;

    /** Rewrites the Convs with at least {@code minOutputPixels} output pixels (N*Ho*Wo); see MIN_OUTPUT_PIXELS. */
    public NchwcConvRewrite(long block, long minOutputPixels) {
        if (block < 2) {
            throw new IllegalArgumentException("NCHWc block must be at least 2, got " + block);
        }
        this.block = block;
        this.minOutputPixels = minOutputPixels;
    }

    @Override
    public PassResult apply(Model model) {
        boolean modified = false;
        for (Node n : new ArrayList<>(model.graph().nodes())) {
            if (eligible(n)) {
                rewrite(model, n);
                modified = true;
            }
        }
        return new PassResult(model, modified);
    }

    private boolean eligible(Node n) {
        if (!n.domain().isEmpty() || !n.opType().equals("Conv") || n.inputs().size() < 2 || n.input(1) == null
                || n.input(1).isInitializer() || !n.attrString("auto_pad", "NOTSET").equals("NOTSET")) {
            return false;
        }
        Value x = n.input(0);
        Value w = n.input(1);
        if (x.shape() == null || w.shape() == null || !w.shape().isStatic() || x.shape().rank() != 4
                || w.shape().rank() != 4 || n.output(0).type() == null) {
            return false;
        }
        long[] ws = w.shape().toArray();
        long group = n.attrInt("group", 1);
        boolean fits = group == 1 ? ws[1] % block == 0 : depthwise(n, ws);
        if (!fits || ws[0] % block != 0 || !n.output(0).shape().isStatic()) {
            return false;
        }
        long[] ys = n.output(0).shape().toArray();
        return ys[0] * ys[2] * ys[3] >= minOutputPixels && ws[2] * ws[3] > 1;
    }

    /** One filter per input channel (group = C = O, channel multiplier 1), which the blocked kernel runs directly. */
    private static boolean depthwise(Node n, long[] ws) {
        long c = n.input(0).shape().isStatic() ? n.input(0).shape().toArray()[1] : -1;
        return ws[1] == 1 && n.attrInt("group", 1) == c && ws[0] == c;
    }

    /** The builder adds the nchwc domain's import to the model with its first node. */
    private void rewrite(Model model, Node conv) {
        Graph g = model.graph();
        long[] ws = conv.input(1).shape().toArray();
        String base = conv.name();
        GraphBuilder b = GraphBuilder.editing(model).before(conv).inferTypes(false).namePrefix(base + "/nchwc");
        Value xr = b.op(DOMAIN, "ReorderInput", List.of(conv.input(0)), Map.of(), 1).get(0);
        Value wb = conv.attrInt("group", 1) > 1 ? depthwiseWeight(b, conv, ws) : denseWeight(b, conv, ws);
        List<Value> in = new ArrayList<>(List.of(xr, wb));
        if (conv.inputs().size() > 2 && conv.input(2) != null) {
            in.add(conv.input(2));
        }
        Value yr = b.op(DOMAIN, "Conv", in, conv.attributes(), 1).get(0);
        yr.producer().setName(g.uniqueName(base + "/nchwc")); // the name profiles and OrtNchwcTest know it by
        Value reordered = b.op(DOMAIN, "ReorderOutput", List.of(yr), Map.of("channels", Attr.of(ws[0])), 1).get(0);
        Value y = conv.output(0);
        reordered.setType(y.type());
        boolean graphOutput = g.outputs().contains(y);
        y.replaceAllUsesWith(reordered, true);
        g.removeNode(conv);
        if (graphOutput) {
            reordered.setName(y.name());
        }
    }

    /**
     * A dense weight [O, C, kh, kw] in the blocked layout [O/B][C/B][kh][kw][B in][B out]: after the output block is
     * moved innermost, [O/B * C/B, B(i), K, B(o)] -> [.., K, B(i), B(o)]. Two transposes that each move one axis,
     * which ORT copies in blocks (512x512x3x3: 9 ms, where one 6-D transpose [O/B, B, C/B, B, kh, kw] ->
     * [0, 2, 4, 5, 3, 1] took 23 ms).
     */
    private Value denseWeight(GraphBuilder b, Node conv, long[] ws) {
        long k = ws[2] * ws[3];
        Value w4 = b.ops().reshape(outputBlockInnermost(b, conv, ws), ws[0] / block * (ws[1] / block), block, k, block);
        return b.ops().reshape(b.ops().transpose(w4, 0, 2, 1, 3), ws);
    }

    /** A depthwise weight [C, 1, kh, kw] in the blocked layout [C/B][kh][kw][B]: the output block moved innermost. */
    private Value depthwiseWeight(GraphBuilder b, Node conv, long[] ws) {
        return b.ops().reshape(outputBlockInnermost(b, conv, ws), ws);
    }

    /** [O, C, kh, kw] as [O/B, B(o), C*K] -> [O/B, C*K, B(o)]. */
    private Value outputBlockInnermost(GraphBuilder b, Node conv, long[] ws) {
        Value w3 = b.ops().reshape(conv.input(1), ws[0] / block, block, ws[1] * ws[2] * ws[3]);
        return b.ops().transpose(w3, 0, 2, 1);
    }
}

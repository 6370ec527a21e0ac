package dev.lathe.graph.autodiff;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.Arrays;

/** Backward rules of MaxPool, AveragePool and GlobalAveragePool (2-D). */
final class PoolGrads {
    private PoolGrads() {}

    static void addTo(BackwardRules.Builder rules) {
        rules.add("MaxPool", PoolGrads::maxPool);
        rules.add("AveragePool", PoolGrads::averagePool);
        rules.add("GlobalAveragePool", c -> {
            long[] x = c.shape(c.in(0));
            long area = 1;
            for (int i = 2; i < x.length; i++) {
                area *= x[i];
            }
            return new Value[] {c.ops().expand(c.ops().mul(c.grad(0), c.scalar(1.0 / area)), x)};
        });
    }

    /**
     * The forward MaxPool is given its optional Indices output (flat positions in the unpadded input), so the
     * backward scatters dY to the winning positions with ScatterElements(reduction=add) and recomputes nothing.
     * Overlapping windows that share a winner add up, as in PyTorch.
     */
    private static Value[] maxPool(BackwardContext c) {
        Node n = c.node();
        long[] x = c.shape(c.in(0));
        long[] y = c.shape(c.out(0));
        if (n.attrInt("storage_order", 0) != 0) {
            throw c.fail("storage_order=1 (column-major indices) is not supported");
        }
        Value indices = n.outputs().size() > 1 ? n.output(1) : null;
        if (indices == null) {
            indices = new Value(n.graph().uniqueName(n.name() + "_indices"), TensorType.of(DataType.INT64, y));
            n.appendOutput(indices);
        }
        long total = 1;
        for (long d : x) {
            total *= d;
        }
        Value zeros = c.ops().constant(Tensor.filled(c.dtype(), 0.0, total));
        Value flat = c.ops().op("ScatterElements", attrs("axis", Attr.of(0L), "reduction", Attr.of("add")), zeros,
                c.ops().reshape(indices, -1), c.ops().reshape(c.grad(0), -1));
        return new Value[] {c.ops().reshape(flat, x)};
    }

    /**
     * AveragePool's backward spreads dY / count over each window: a depthwise ConvTranspose with a ones kernel after
     * dividing dY by the per-position count (constant k*k, or the number of unpadded cells when
     * count_include_pad=0).
     */
    private static Value[] averagePool(BackwardContext c) {
        Node n = c.node();
        long[] x = c.shape(c.in(0));
        long[] y = c.shape(c.out(0));
        if (x.length != 4) {
            throw c.fail("only 2-D pooling is differentiated, got input " + Arrays.toString(x));
        }
        if (!n.attrString("auto_pad", "NOTSET").equals("NOTSET")) {
            throw c.fail("auto_pad is not supported; give explicit pads");
        }
        long[] k = c.attrInts("kernel_shape", null);
        long[] s = c.attrInts("strides", new long[] {1, 1});
        long[] p = c.attrInts("pads", new long[4]);
        long[] d = c.attrInts("dilations", new long[] {1, 1});
        if (d[0] != 1 || d[1] != 1) {
            throw c.fail("dilated AveragePool is not supported");
        }
        boolean includePad = c.attrInt("count_include_pad", 0) != 0;
        double[] inv = new double[(int) (y[2] * y[3])];
        for (int oh = 0; oh < y[2]; oh++) {
            for (int ow = 0; ow < y[3]; ow++) {
                long h0 = oh * s[0] - p[0];
                long w0 = ow * s[1] - p[1];
                long hLo = includePad ? -p[0] : 0;
                long hHi = includePad ? x[2] + p[2] : x[2];
                long wLo = includePad ? -p[1] : 0;
                long wHi = includePad ? x[3] + p[3] : x[3];
                long hc = Math.min(h0 + k[0], hHi) - Math.max(h0, hLo);
                long wc = Math.min(w0 + k[1], wHi) - Math.max(w0, wLo);
                inv[(int) (oh * y[3] + ow)] = 1.0 / (hc * wc);
            }
        }
        Value scaled = c.ops().mul(c.grad(0),
                c.ops().constant(Tensor.fromDoubles(c.dtype(), new long[] {1, 1, y[2], y[3]}, inv)));
        long[] outputPadding = new long[2];
        for (int i = 0; i < 2; i++) {
            long natural = (y[2 + i] - 1) * s[i] - p[i] - p[i + 2] + k[i];
            outputPadding[i] = x[2 + i] - natural;
        }
        long ch = x[1];
        Value ones = c.ops().constant(Tensor.filled(c.dtype(), 1.0, ch, 1, k[0], k[1]));
        if (outputPadding[0] < 0 || outputPadding[1] < 0) { // ceil_mode windows past the padding: crop afterwards
            long[] pads = p.clone();
            pads[2] += -Math.min(0, outputPadding[0]);
            pads[3] += -Math.min(0, outputPadding[1]);
            long[] op = {Math.max(0, outputPadding[0]), Math.max(0, outputPadding[1])};
            return new Value[] {convTranspose(c, scaled, ones, k, s, pads, op, ch)};
        }
        return new Value[] {convTranspose(c, scaled, ones, k, s, p, outputPadding, ch)};
    }

    private static Value convTranspose(BackwardContext c, Value dy, Value w, long[] k, long[] s, long[] pads,
            long[] outputPadding, long group) {
        return c.ops().op("ConvTranspose", attrs("kernel_shape", Attr.of(k), "strides", Attr.of(s), "pads",
                Attr.of(pads), "output_padding", Attr.of(outputPadding), "group", Attr.of(group)), dy, w);
    }
}

package dev.lathe.graph.autodiff;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.Arrays;

/**
 * Backward rules of Conv, Gemm and MatMul. The Conv formulations were chosen by measurement on ORT's CPU kernels
 * (issue 5, 3x3 64->64 at batch 128, 32x32): dX for stride 1 is a plain Conv with spatially flipped, in/out-swapped
 * weights (forward speed), otherwise ConvTranspose; dW extracts patches with a one-hot grouped Conv and contracts
 * them with dY in one batched MatMul (3x faster than convolving the batch-transposed input with dY, where ORT's
 * im2col handles the 32x32 "kernel" poorly); depthwise dW contracts patches with dY as batched matrix-vector products.
 */
final class LinearGrads {
    private LinearGrads() {}

    static void addTo(BackwardRules.Builder rules) {
        rules.add("Conv", LinearGrads::conv);
        rules.add("Gemm", LinearGrads::gemm);
        rules.add("MatMul", LinearGrads::matMul);
    }

    /** Conv geometry of a 2-D node, with defaults filled in. */
    record ConvGeometry(long[] x, long[] w, long[] y, long[] strides, long[] pads, long[] dilations, long group) {
        long k(int i) {
            return w[2 + i];
        }

        long span(int i) { // dilated kernel extent minus one
            return dilations[i] * (k(i) - 1);
        }

        static ConvGeometry of(BackwardContext c) {
            long[] x = c.shape(c.in(0));
            long[] w = c.shape(c.in(1));
            long[] y = c.shape(c.out(0));
            if (x.length != 4) {
                throw c.fail("only 2-D convolutions (rank-4 input) are differentiated, got input " + Arrays.toString(x));
            }
            String autoPad = c.node().attrString("auto_pad", "NOTSET");
            long[] pads = c.attrInts("pads", new long[4]);
            long[] strides = c.attrInts("strides", new long[] {1, 1});
            long[] dil = c.attrInts("dilations", new long[] {1, 1});
            if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                pads = new long[4];
                for (int i = 0; i < 2; i++) {
                    long total = Math.max(0, (y[2 + i] - 1) * strides[i] + dil[i] * (w[2 + i] - 1) + 1 - x[2 + i]);
                    long small = total / 2;
                    pads[autoPad.equals("SAME_UPPER") ? i : i + 2] = small;
                    pads[autoPad.equals("SAME_UPPER") ? i + 2 : i] = total - small;
                }
            } else if (autoPad.equals("VALID")) {
                pads = new long[4];
            }
            return new ConvGeometry(x, w, y, strides, pads, dil, c.attrInt("group", 1));
        }
    }

    private static Value[] conv(BackwardContext c) {
        ConvGeometry g = ConvGeometry.of(c);
        Value dy = c.grad(0);
        Value[] out = new Value[c.inputCount()];
        if (c.needs(0)) {
            out[0] = convInputGrad(c, g, dy);
        }
        if (c.needs(1)) {
            out[1] = convWeightGrad(c, g, dy);
        }
        if (c.needs(2)) {
            out[2] = c.ops().reduceSum(dy, false, 0, 2, 3);
        }
        return out;
    }

    static Value convInputGrad(BackwardContext c, ConvGeometry g, Value dy) {
        boolean unitStride = g.strides[0] == 1 && g.strides[1] == 1;
        boolean padsFit = true;
        for (int i = 0; i < 2; i++) {
            padsFit &= g.pads[i] <= g.span(i) && g.pads[i + 2] <= g.span(i);
        }
        if (unitStride && padsFit) {
            // Correlating dY with the flipped, in/out-swapped kernel, padded by span - pad, gives exactly dX.
            Value wT = swapInOut(c, g, c.in(1));
            if (g.k(0) > 1 || g.k(1) > 1) {
                wT = flipKernel(c, wT, g.w[1] * g.group, g.w[0] / g.group, g.k(0), g.k(1));
            }
            long[] pads = {g.span(0) - g.pads[0], g.span(1) - g.pads[1], g.span(0) - g.pads[2], g.span(1) - g.pads[3]};
            return c.ops().op("Conv", attrs("kernel_shape", Attr.of(g.k(0), g.k(1)), "pads", Attr.of(pads),
                    "dilations", Attr.of(g.dilations), "group", Attr.of(g.group)), dy, wT);
        }
        long[] outputPadding = new long[2];
        for (int i = 0; i < 2; i++) {
            long natural = (g.y[2 + i] - 1) * g.strides[i] - g.pads[i] - g.pads[i + 2] + g.span(i) + 1;
            outputPadding[i] = g.x[2 + i] - natural;
        }
        return c.ops().op("ConvTranspose", attrs("kernel_shape", Attr.of(g.k(0), g.k(1)), "strides",
                Attr.of(g.strides), "pads", Attr.of(g.pads), "dilations", Attr.of(g.dilations), "group",
                Attr.of(g.group), "output_padding", Attr.of(outputPadding)), dy, c.in(1));
    }

    /**
     * Reverses both spatial axes of a [A, B, kh, kw] kernel as a MatMul of its [A*B, kh*kw] view with the exchange
     * matrix (exact: one 1 per column): ORT's Slice with negative steps took 12 ms for a 512x512x3x3 weight.
     */
    private static Value flipKernel(BackwardContext c, Value w, long a, long b, long kh, long kw) {
        int kk = (int) (kh * kw);
        double[] exchange = new double[kk * kk];
        for (int i = 0; i < kk; i++) {
            exchange[i * kk + (kk - 1 - i)] = 1;
        }
        Value j = c.ops().constant(Tensor.fromDoubles(c.in(1).dtype(), new long[] {kk, kk}, exchange));
        return c.ops().reshape(c.ops().op("MatMul", c.ops().reshape(w, a * b, kk), j), a, b, kh, kw);
    }

    /** W [O, C/G, kh, kw] to [C, O/G, kh, kw]: the weight of the convolution that maps dY back to dX. */
    private static Value swapInOut(BackwardContext c, ConvGeometry g, Value w) {
        long o = g.w[0];
        long cg = g.w[1];
        long og = o / g.group;
        long kh = g.k(0);
        long kw = g.k(1);
        if (g.group == 1) {
            return c.ops().transpose(w, 1, 0, 2, 3);
        }
        if (cg == 1 || og == 1) { // the swap moves a size-1 axis: a reshape is enough
            return c.ops().reshape(w, cg * g.group, og, kh, kw);
        }
        Value t = c.ops().transpose(c.ops().reshape(w, g.group, og, cg, kh, kw), 0, 2, 1, 3, 4);
        return c.ops().reshape(t, cg * g.group, og, kh, kw);
    }

    static Value convWeightGrad(BackwardContext c, ConvGeometry g, Value dy) {
        long n = g.x[0];
        long ch = g.x[1];
        long o = g.w[0];
        long cg = g.w[1];
        long og = o / g.group;
        long kk = g.k(0) * g.k(1);
        long l = g.y[2] * g.y[3];
        boolean plainPointwise = kk == 1 && g.strides[0] == 1 && g.strides[1] == 1
                && Arrays.stream(g.pads).allMatch(p -> p == 0);
        Value patches = plainPointwise ? c.in(0) : patches(c, g);
        if (cg == 1 && og == 1) {
            // depthwise: dW[c, k] = sum over batch and positions of P[n, c, k, l] * dY[n, c, l], as N*C matrix-vector
            // products [k, l] x [l, 1] and a sum over the batch: one read of the patches, where Mul + ReduceSum writes
            // and re-reads them (mobilenet_v2 144 channels 56x56 batch 16: 58 vs 253 ms)
            Value p = c.ops().reshape(patches, n, ch, kk, l);
            Value d = c.ops().reshape(dy, n, o, l, 1);
            return c.ops().reshape(c.ops().reduceSum(c.ops().op("MatMul", p, d), false, 0), g.w);
        }
        if (g.group == 1 && 4 * l <= o) {
            // Few output positions per image (deep, small feature maps): the batched MatMul's per-image [C*kk, O]
            // products outweigh the patches, so move the batch next to the positions and contract over N*L in ONE
            // Gemm. resnet18 layer4 (512ch 7x7, batch 16): 219 vs 293 ms (min of 3, same run); at 64ch 32x32 the
            // batched form wins (130 vs 253 ms).
            Value p = c.ops().reshape(c.ops().transpose(c.ops().reshape(patches, n, ch * kk, l), 1, 0, 2), ch * kk, n * l);
            Value d = c.ops().reshape(c.ops().transpose(c.ops().reshape(dy, n, o, l), 1, 0, 2), o, n * l);
            return c.ops().reshape(c.ops().op("Gemm", attrs("transB", Attr.of(1L)), d, p), g.w);
        }
        if (g.group == 1) {
            Value p = c.ops().reshape(patches, n, ch * kk, l);
            Value dT = c.ops().transpose(c.ops().reshape(dy, n, o, l), 0, 2, 1);
            Value wT = c.ops().reduceSum(c.ops().op("MatMul", p, dT), false, 0); // [C*kk, O]
            return c.ops().reshape(c.ops().transpose(wT, 1, 0), g.w);
        }
        Value p = c.ops().reshape(patches, n, g.group, cg * kk, l);
        Value dT = c.ops().transpose(c.ops().reshape(dy, n, g.group, og, l), 0, 1, 3, 2);
        Value wT = c.ops().reduceSum(c.ops().op("MatMul", p, dT), false, 0); // [G, Cg*kk, Og]
        return c.ops().reshape(c.ops().transpose(wT, 0, 2, 1), g.w);
    }

    /**
     * Input patches [N, C*kh*kw, OH, OW] in the weight's (c, kh, kw) order: a grouped Conv (one group per input
     * channel) whose kh*kw filters are one-hot, with the forward Conv's strides, pads and dilations.
     */
    private static Value patches(BackwardContext c, ConvGeometry g) {
        long ch = g.x[1];
        long kh = g.k(0);
        long kw = g.k(1);
        long kk = kh * kw;
        double[] oneHot = new double[(int) (ch * kk * kk)];
        for (int cc = 0; cc < ch; cc++) {
            for (int j = 0; j < kk; j++) {
                oneHot[(int) ((cc * kk + j) * kk + j)] = 1;
            }
        }
        Value e = c.ops().constant(Tensor.fromDoubles(c.in(0).dtype(), new long[] {ch * kk, 1, kh, kw}, oneHot));
        return c.ops().op("Conv", attrs("kernel_shape", Attr.of(kh, kw), "strides", Attr.of(g.strides), "pads",
                Attr.of(g.pads), "dilations", Attr.of(g.dilations), "group", Attr.of(ch)), c.in(0), e);
    }

    /** Y = alpha op(A) op(B) + beta C, op = optional transpose. */
    private static Value[] gemm(BackwardContext c) {
        boolean ta = c.attrInt("transA", 0) != 0;
        boolean tb = c.attrInt("transB", 0) != 0;
        float alpha = c.attrFloat("alpha", 1f);
        float beta = c.attrFloat("beta", 1f);
        Value a = c.in(0);
        Value b = c.in(1);
        Value dy = c.grad(0);
        Value[] out = new Value[c.inputCount()];
        if (c.needs(0)) {
            out[0] = ta ? gemm(c, b, dy, tb, true, alpha) : gemm(c, dy, b, false, !tb, alpha);
        }
        if (c.needs(1)) {
            out[1] = tb ? gemm(c, dy, a, true, ta, alpha) : gemm(c, a, dy, !ta, false, alpha);
        }
        if (c.needs(2)) {
            Value g = c.unbroadcast(dy, c.shape(c.out(0)), c.in(2));
            out[2] = beta == 1f ? g : c.ops().mul(g, c.scalar(beta));
        }
        return out;
    }

    private static Value gemm(BackwardContext c, Value a, Value b, boolean ta, boolean tb, float alpha) {
        return c.ops().op("Gemm", attrs("transA", Attr.of(ta ? 1L : 0L), "transB", Attr.of(tb ? 1L : 0L), "alpha",
                Attr.of(alpha)), a, b);
    }

    /** Batched MatMul with broadcasting over the leading dimensions; rank-1 operands are not handled. */
    private static Value[] matMul(BackwardContext c) {
        Value a = c.in(0);
        Value b = c.in(1);
        long[] as = c.shape(a);
        long[] bs = c.shape(b);
        if (as.length < 2 || bs.length < 2) {
            throw c.fail("rank-1 MatMul operands are not differentiated; got " + Arrays.toString(as) + " and "
                    + Arrays.toString(bs));
        }
        Value dy = c.grad(0);
        long[] ys = c.shape(c.out(0));
        Value[] out = new Value[2];
        if (c.needs(0)) {
            Value g = c.ops().op("MatMul", dy, c.ops().transpose(b, swapLast(bs.length)));
            long[] gs = ys.clone();
            gs[gs.length - 1] = as[as.length - 1];
            out[0] = c.unbroadcast(g, gs, a);
        }
        if (c.needs(1)) {
            Value g = c.ops().op("MatMul", c.ops().transpose(a, swapLast(as.length)), dy);
            long[] gs = ys.clone();
            gs[gs.length - 2] = bs[bs.length - 2];
            out[1] = c.unbroadcast(g, gs, b);
        }
        return out;
    }

    private static long[] swapLast(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = i;
        }
        p[rank - 2] = rank - 1;
        p[rank - 1] = rank - 2;
        return p;
    }

}

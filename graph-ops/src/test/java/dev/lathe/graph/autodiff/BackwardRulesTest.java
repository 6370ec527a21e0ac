package dev.lathe.graph.autodiff;

import static dev.lathe.graph.build.Ops.attrs;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every backward rule against central finite differences run in ONNX Runtime (float64 where ORT has the kernel). */
class BackwardRulesTest {
    private static final DataType F64 = DataType.DOUBLE;
    private static final DataType F32 = DataType.FLOAT;

    private static GradCheck check(DataType t, long seed) {
        return new GradCheck(t, seed);
    }

    private static Attr ints(long... v) {
        return Attr.of(v);
    }

    // ---- convolution: stride, pads, dilation, groups, depthwise, 1x1 (ORT's Conv is float32-only) ----

    private static void conv(long seed, long n, long c, long h, long w, long o, long k, long s, long p, long d,
            long g, boolean bias) throws Exception {
        GradCheck gc = check(F32, seed).input("x", n, c, h, w).input("w", o, c / g, k, k);
        if (bias) {
            gc.input("b", o);
        }
        // Conv is linear in x and in w, so a large step has no truncation error and keeps float32 rounding small.
        gc.tolerance(0.5, 2e-3).op((e, in) -> e.op("Conv", attrs("kernel_shape", ints(k, k), "strides", ints(s, s),
                "pads", ints(p, p, p, p), "dilations", ints(d, d), "group", Attr.of(g)),
                bias ? new Value[] {in.get("x"), in.get("w"), in.get("b")} : new Value[] {in.get("x"), in.get("w")}));
        gc.run();
    }

    @Test
    void conv3x3Stride1Padded() throws Exception {
        conv(1, 2, 3, 7, 6, 4, 3, 1, 1, 1, 1, true);
    }

    @Test
    void convWeightGradAsOneGemmWhenFewPositionsPerImage() throws Exception {
        conv(11, 2, 2, 2, 2, 16, 3, 1, 1, 1, 1, true); // 4 positions, 16 outputs
        conv(12, 2, 3, 4, 4, 16, 3, 2, 1, 1, 1, false); // stride 2: 4 positions
        conv(13, 3, 8, 3, 3, 40, 1, 1, 0, 1, 1, false); // 1x1: 9 positions, 40 outputs
    }

    @Test
    void convStride2OddSizeUsesConvTransposeWithOutputPadding() throws Exception {
        conv(2, 2, 3, 8, 8, 5, 3, 2, 1, 1, 1, false);
        conv(3, 1, 2, 9, 9, 3, 3, 2, 1, 1, 1, true);
        conv(4, 1, 2, 10, 10, 3, 5, 3, 2, 1, 1, false);
    }

    @Test
    void convDilatedGroupedDepthwisePointwise() throws Exception {
        conv(5, 2, 4, 9, 9, 6, 3, 1, 2, 2, 2, true); // dilation 2, groups 2
        conv(6, 2, 6, 8, 8, 6, 3, 1, 1, 1, 6, false); // depthwise
        conv(7, 2, 6, 9, 9, 6, 3, 2, 1, 1, 6, true); // depthwise stride 2
        conv(8, 2, 4, 5, 5, 8, 3, 1, 1, 1, 4, false); // depthwise with multiplier 2
        conv(9, 2, 5, 6, 6, 7, 1, 1, 0, 1, 1, true); // pointwise
        conv(10, 2, 5, 7, 7, 3, 1, 2, 0, 1, 1, false); // strided pointwise
        conv(11, 1, 3, 6, 6, 2, 3, 1, 0, 1, 1, false); // valid padding
    }

    @Test
    void convRandomGeometries() throws Exception {
        Random r = new Random(42);
        for (int t = 0; t < 6; t++) {
            long g = 1 + r.nextInt(2);
            long c = g * (1 + r.nextInt(3));
            long o = g * (1 + r.nextInt(3));
            long k = 1 + r.nextInt(3);
            long s = 1 + r.nextInt(2);
            long d = 1 + r.nextInt(2);
            long p = r.nextInt((int) k);
            long size = (k - 1) * d + 1 + r.nextInt(5);
            conv(100 + t, 1 + r.nextInt(2), c, size, size + 1, o, k, s, p, d, g, r.nextBoolean());
        }
    }

    // ---- linear algebra ----

    @Test
    void gemmAllTransposesWithBroadcastBias() throws Exception {
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                long[] a = ta == 0 ? new long[] {3, 4} : new long[] {4, 3};
                long[] b = tb == 0 ? new long[] {4, 5} : new long[] {5, 4};
                long fta = ta;
                long ftb = tb;
                check(F64, 20 + 2 * ta + tb).input("a", a).input("b", b).input("c", 5).op((e, in) -> e.op("Gemm",
                        attrs("transA", Attr.of(fta), "transB", Attr.of(ftb), "alpha", Attr.of(0.7f), "beta",
                                Attr.of(1.3f)), in.get("a"), in.get("b"), in.get("c"))).run();
            }
        }
    }

    @Test
    void matMulBatchedAndBroadcast() throws Exception {
        check(F64, 30).input("a", 2, 3, 4).input("b", 2, 4, 5).op((e, in) -> e.op("MatMul", in.get("a"), in.get("b")))
                .run();
        check(F64, 31).input("a", 2, 3, 3, 4).input("b", 4, 2).op((e, in) -> e.op("MatMul", in.get("a"), in.get("b")))
                .run();
        check(F64, 32).input("a", 3, 4).input("b", 2, 4, 5).op((e, in) -> e.op("MatMul", in.get("a"), in.get("b")))
                .run();
    }

    // ---- elementwise with broadcasting ----

    @Test
    void arithmeticWithBroadcasting() throws Exception {
        for (String op : List.of("Add", "Sub", "Mul", "Div")) {
            check(F64, op.hashCode()).input("a", 2, 3, 4).input("b", 3, 1).op((e, in) -> e.op(op, in.get("a"),
                    op.equals("Div") ? e.add(e.op("Abs", in.get("b")), e.scalar(F64, 0.5)) : in.get("b"))).run();
            check(F64, op.hashCode() + 1).input("a", 1, 4).input("b", 3, 1)
                    .op((e, in) -> e.op(op, in.get("a"), in.get("b"))).run();
        }
        check(F64, 40).input("a", 2, 3).input("b", 3).input("c", 2, 1).op((e, in) -> e.op("Sum", in.get("a"),
                in.get("b"), in.get("c"))).run();
    }

    @Test
    void reluIncludingExactZerosGetsZeroGradientAtZero() throws Exception {
        double[] x = {-1.5, -0.2, 0.3, 2.0, 0.7, -3.0};
        check(F64, 41).input("x", new long[] {2, 3}, x).op((e, in) -> e.op("Relu", in.get("x"))).run();
        // At exactly 0 the rule gives 0 (PyTorch's choice): the analytic gradient, run in ORT, must be 0 there.
        Graph g = new Graph("relu0");
        Value in = g.addInput(new Value("x", TensorType.of(F64, 2)));
        Ops e = GraphBuilder.editing(g, 17).inferTypes(false).ops();
        Value y = e.op("Relu", in);
        y.setType(TensorType.of(F64, 2));
        Value loss = e.reduceSum(y, false);
        loss.setType(TensorType.of(F64));
        double[] d = gradientInOrt(g, e, in, loss, Tensor.ofDoubles(new long[] {2}, 0.0, 2.0));
        assertTrue(d[0] == 0.0 && d[1] == 1.0, "ReLU gradient at (0, 2): " + Arrays.toString(d));
    }

    /** d loss / d in of the one-input graph {@code g}, built by the autodiff and run in ONNX Runtime at {@code x}. */
    private static double[] gradientInOrt(Graph g, Ops e, Value in, Value loss, Tensor x) throws Exception {
        Value grad = e.op("Identity", Autodiff.gradients(g, 17, loss, List.of(in)).get(in));
        grad.setName("grad");
        g.addOutput(grad);
        Model m = new Model(g);
        m.opsetImports().put("", 17L);
        return OrtParity.run(m, Map.of(in.name(), x), OrtParity.Settings.ORT_DEFAULTS).get("grad").toDoubles();
    }

    @Test
    void smoothUnaryOps() throws Exception {
        for (String op : List.of("Sigmoid", "Tanh", "Exp", "Neg", "Identity", "Abs")) {
            check(F64, op.hashCode()).input("x", 3, 4).op((e, in) -> e.op(op, in.get("x"))).run();
        }
        for (String op : List.of("Sqrt", "Reciprocal", "Log")) { // on a positive domain
            check(F64, op.hashCode()).input("x", 3, 4).op((e, in) -> e.op(op,
                    e.add(e.op("Abs", in.get("x")), e.scalar(F64, 0.5)))).run();
        }
        for (String op : List.of("Erf", "Softplus")) { // float32-only kernels in ORT
            check(F32, op.hashCode()).input("x", 3, 4).tolerance(1e-2, 5e-3).op((e, in) -> e.op(op, in.get("x"))).run();
        }
    }

    @Test
    void powBothOperands() throws Exception {
        check(F64, 44).input("a", 3, 4).input("b", 4).op((e, in) -> e.op("Pow",
                e.add(e.op("Abs", in.get("a")), e.scalar(F64, 0.5)), in.get("b"))).run();
    }

    @Test
    void whereMinMaxClip() throws Exception {
        check(F64, 45).input("a", 3, 4).input("b", 4).op((e, in) -> e.op("Where",
                e.op("Greater", in.get("a"), e.scalar(F64, 0)), in.get("a"), in.get("b"))).run();
        check(F64, 46).input("a", 3, 4).input("b", 4).op((e, in) -> e.op("Max", in.get("a"), in.get("b"))).run();
        check(F64, 47).input("a", 3, 4).input("b", 3, 1).input("c", 4)
                .op((e, in) -> e.op("Min", in.get("a"), in.get("b"), in.get("c"))).run();
        check(F32, 48).input("x", 4, 5).tolerance(1e-3, 5e-3).op((e, in) -> e.op("Clip", in.get("x"),
                e.scalar(F32, -0.5), e.scalar(F32, 0.8))).run();
        check(F64, 49).input("x", 4, 5).input("lo", 1).op((e, in) -> e.op("Clip", in.get("x"),
                e.reshape(in.get("lo"), new long[0]))).run();
    }

    // ---- pooling ----

    /**
     * Ties (inputs drawn from {0, 1, 2}) are not differentiable, so finite differences cannot check them: the gradient
     * must go to the first maximum of each window in row-major order (PyTorch's argmax), adding up where windows
     * overlap, as a reference loop computes it (float32, the type the zoo trains in).
     */
    @Test
    void maxPoolTiesGoToTheFirstMaximumOfEachWindow() throws Exception {
        long[][] cases = { // n, c, h, w, k, s, pad
            {2, 3, 7, 7, 3, 2, 1}, {1, 2, 6, 6, 2, 2, 0}, {1, 2, 5, 5, 3, 1, 1}, {1, 1, 8, 9, 3, 2, 0}};
        Random r = new Random(56);
        for (long[] cs : cases) {
            int n = (int) cs[0], ch = (int) cs[1], h = (int) cs[2], w = (int) cs[3], k = (int) cs[4],
                    st = (int) cs[5], pad = (int) cs[6];
            int oh = (h + 2 * pad - k) / st + 1;
            int ow = (w + 2 * pad - k) / st + 1;
            double[] x = new double[n * ch * h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(3);
            }
            double[] dy = new double[n * ch * oh * ow];
            for (int i = 0; i < dy.length; i++) {
                dy[i] = r.nextGaussian();
            }
            double[] expected = new double[x.length];
            for (int plane = 0; plane < n * ch; plane++) {
                for (int a = 0; a < oh; a++) {
                    for (int b = 0; b < ow; b++) {
                        int best = -1;
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                int hh = a * st - pad + i;
                                int ww = b * st - pad + j;
                                if (hh >= 0 && hh < h && ww >= 0 && ww < w) {
                                    int at = plane * h * w + hh * w + ww;
                                    if (best < 0 || x[at] > x[best]) {
                                        best = at;
                                    }
                                }
                            }
                        }
                        expected[best] += dy[plane * oh * ow + a * ow + b];
                    }
                }
            }
            float[] xf = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                xf[i] = (float) x[i];
            }
            Graph g = new Graph("maxpool_ties");
            Value in = g.addInput(new Value("x", TensorType.of(F32, n, ch, h, w)));
            Ops e = GraphBuilder.editing(g, 17).inferTypes(false).ops();
            Value y = e.op("MaxPool", attrs("kernel_shape", ints(k, k), "strides", ints(st, st), "pads",
                    ints(pad, pad, pad, pad)), in);
            y.setType(TensorType.of(F32, n, ch, oh, ow));
            Value weighted = e.mul(y, e.constant(Tensor.fromDoubles(F32, new long[] {n, ch, oh, ow}, dy)));
            weighted.setType(y.type());
            Value loss = e.reduceSum(weighted, false);
            loss.setType(TensorType.of(F32));
            double[] got = gradientInOrt(g, e, in, loss, Tensor.ofFloats(new long[] {n, ch, h, w}, xf));
            for (int i = 0; i < x.length; i++) {
                assertTrue(Math.abs(got[i] - expected[i]) < 1e-5, "case " + Arrays.toString(cs) + " dx[" + i
                        + "]: " + got[i] + ", expected " + expected[i]);
            }
        }
    }

    @Test
    void maxPoolOverlappingAndStrided() throws Exception {
        check(F32, 50).input("x", 2, 3, 7, 7).tolerance(1e-3, 5e-3).op((e, in) -> e.op("MaxPool", attrs(
                "kernel_shape", ints(3, 3), "strides", ints(2, 2), "pads", ints(1, 1, 1, 1)), in.get("x"))).run();
        check(F32, 51).input("x", 1, 2, 6, 6).tolerance(1e-3, 5e-3).op((e, in) -> e.op("MaxPool", attrs(
                "kernel_shape", ints(2, 2), "strides", ints(2, 2)), in.get("x"))).run();
    }

    @Test
    void averagePoolWithAndWithoutPadCounting() throws Exception {
        for (long include = 0; include < 2; include++) {
            long inc = include;
            check(F32, 52 + include).input("x", 2, 3, 7, 8).tolerance(0.5, 2e-3).op((e, in) -> e.op("AveragePool",
                    attrs("kernel_shape", ints(3, 3), "strides", ints(2, 2), "pads", ints(1, 1, 1, 1),
                            "count_include_pad", Attr.of(inc)), in.get("x"))).run();
        }
        check(F32, 54).input("x", 1, 2, 6, 6).tolerance(0.5, 2e-3).op((e, in) -> e.op("AveragePool",
                attrs("kernel_shape", ints(2, 2), "strides", ints(2, 2)), in.get("x"))).run();
        check(F32, 55).input("x", 2, 3, 5, 4).tolerance(0.5, 2e-3)
                .op((e, in) -> e.op("GlobalAveragePool", in.get("x"))).run();
    }

    // ---- shapes ----

    @Test
    void reshapeFlattenTransposeSqueezeUnsqueeze() throws Exception {
        check(F64, 60).input("x", 2, 3, 4).op((e, in) -> e.op("Flatten", attrs("axis", Attr.of(1L)), in.get("x")))
                .run();
        check(F64, 61).input("x", 2, 3, 4).op((e, in) -> e.reshape(in.get("x"), 4, -1)).run();
        check(F64, 62).input("x", 2, 3, 4).op((e, in) -> e.transpose(in.get("x"), 2, 0, 1)).run();
        check(F64, 63).input("x", 2, 1, 4).op((e, in) -> e.op("Squeeze", in.get("x"), e.ints(1))).run();
        check(F64, 64).input("x", 2, 4).op((e, in) -> e.unsqueeze(in.get("x"), 0, 2)).run();
    }

    @Test
    void depthToSpaceBothModes() throws Exception { // ISP's selector up-blocks: PyTorch's pixel_shuffle is CRD
        check(F64, 143).input("x", 2, 8, 2, 3).op((e, in) -> e.op("DepthToSpace", attrs("blocksize", Attr.of(2L),
                "mode", Attr.of("CRD")), in.get("x"))).run();
        check(F64, 144).input("x", 2, 8, 2, 3).op((e, in) -> e.op("DepthToSpace", attrs("blocksize", Attr.of(2L),
                "mode", Attr.of("DCR")), in.get("x"))).run();
    }

    @Test
    void concatSplitSlice() throws Exception {
        check(F64, 65).input("a", 2, 3).input("b", 2, 2).op((e, in) -> e.op("Concat", attrs("axis", Attr.of(-1L)),
                in.get("a"), in.get("b"))).run();
        // Only the second Split output reaches the loss: the first gets zeros.
        check(F64, 66).input("x", 2, 5).op((e, in) -> e.op("Split", attrs("axis", Attr.of(1L)), 2, in.get("x"),
                e.ints(2, 3)).get(1)).run();
        check(F64, 67).input("x", 2, 5).op((e, in) -> {
            List<Value> parts = e.op("Split", attrs("axis", Attr.of(1L)), 2, in.get("x"), e.ints(2, 3));
            return e.op("Concat", attrs("axis", Attr.of(1L)), e.mul(parts.get(1), parts.get(1)), parts.get(0));
        }).run();
        check(F64, 68).input("x", 3, 6).op((e, in) -> e.op("Slice", in.get("x"), e.ints(1, -4), e.ints(3, 100),
                e.ints(0, 1), e.ints(1, 1))).run();
        // option-A shortcut of CIFAR ResNets: zero channels padded after the input's
        check(F64, 73).input("x", 2, 3, 4, 4).op((e, in) -> e.op("Pad", attrs("mode", Attr.of("constant")),
                in.get("x"), e.ints(0, 0, 1, 0, 0, 2, 0, 1))).run();
    }

    @Test
    void tileExpandGather() throws Exception {
        check(F64, 69).input("x", 2, 3).op((e, in) -> e.op("Tile", in.get("x"), e.ints(2, 3))).run();
        check(F64, 70).input("x", 3, 1).op((e, in) -> e.op("Expand", in.get("x"), e.ints(2, 3, 4))).run();
        check(F64, 71).input("x", 5, 3).intInput("i", new long[] {4}, 1, 3, 1, 0)
                .op((e, in) -> e.op("Gather", attrs("axis", Attr.of(0L)), in.get("x"), in.get("i"))).run();
        check(F64, 72).input("x", 2, 5, 3).intInput("i", new long[] {2, 2}, 4, 0, 4, 2)
                .op((e, in) -> e.op("Gather", attrs("axis", Attr.of(1L)), in.get("x"), in.get("i"))).run();
    }

    // ---- reductions and softmax ----

    @Test
    void reductions() throws Exception {
        check(F64, 73).input("x", 2, 3, 4).op((e, in) -> e.reduceSum(in.get("x"), false, 0, 2)).run();
        check(F64, 74).input("x", 2, 3, 4).op((e, in) -> e.reduceSum(in.get("x"), true, -1)).run();
        check(F64, 75).input("x", 2, 3, 4).op((e, in) -> e.reduceMean(in.get("x"), false, 1)).run();
        check(F64, 76).input("x", 2, 3, 4).op((e, in) -> e.reduceMean(in.get("x"), true, 0, 2)).run();
        check(F64, 77).input("x", 2, 3, 4).op((e, in) -> e.op("ReduceL2", attrs("axes", ints(1), "keepdims",
                Attr.of(0L)), in.get("x"))).run();
    }

    @Test
    void softmaxAndLogSoftmax() throws Exception {
        check(F64, 78).input("x", 3, 5).op((e, in) -> e.op("Softmax", attrs("axis", Attr.of(1L)), in.get("x"))).run();
        check(F64, 79).input("x", 2, 4, 3).op((e, in) -> e.op("LogSoftmax", attrs("axis", Attr.of(1L)), in.get("x")))
                .run();
    }

    // ---- normalisation ----

    @Test
    void batchNormInferenceForm() throws Exception {
        check(F64, 80).input("x", 2, 3, 4, 4).input("s", 3).input("b", 3).op((e, in) -> e.op("BatchNormalization",
                attrs("epsilon", Attr.of(1e-3f)), in.get("x"), in.get("s"), in.get("b"),
                e.constant(Tensor.filled(F64, 0.2, 3)), e.constant(Tensor.filled(F64, 1.5, 3)))).run();
    }

    @Test
    void batchNormTrainingModeReadsBatchStatisticsBackFromRunningOutputs() throws Exception {
        // momentum 0: the running outputs are the batch statistics (what the train-step builder emits). The two
        // running inputs differ: ORT may compute the running outputs in place of their inputs, and two equal
        // constants can be merged into one buffer, which would then hold both statistics.
        check(F64, 82).input("x", 2, 3, 4, 4).input("s", 3).input("b", 3).op((e, in) -> e.op("BatchNormalization",
                attrs("epsilon", Attr.of(1e-3f), "momentum", Attr.of(0f), "training_mode", Attr.of(1L)), 3,
                in.get("x"), in.get("s"), in.get("b"), e.constant(Tensor.filled(F64, 0, 3)),
                e.constant(Tensor.filled(F64, 1, 3))).get(0)).run();
        // momentum 0.9 with non-zero running inputs (statistics = (out - 0.9 in) / 0.1), rank 3
        check(F64, 83).input("x", 5, 2, 3).input("s", 2).input("b", 2).op((e, in) -> e.op("BatchNormalization",
                attrs("momentum", Attr.of(0.9f), "training_mode", Attr.of(1L)), 3, in.get("x"), in.get("s"),
                in.get("b"), e.constant(Tensor.filled(F64, 0.7, 2)), e.constant(Tensor.filled(F64, 2.5, 2)))
                .get(0)).run();
    }

    @Test
    void layerNorm() throws Exception {
        // float32 (the type models train in): central differences with step 1e-2 through a normalisation lose about
        // three digits to float rounding, hence 1e-2; the float64 check below holds the rule to the default 1e-6
        check(F32, 81).input("x", 2, 3, 6).input("s", 6).input("b", 6).tolerance(1e-2, 1e-2).op((e, in) -> e.op(
                "LayerNormalization", attrs("axis", Attr.of(-1L), "epsilon", Attr.of(1e-5f)), in.get("x"),
                in.get("s"), in.get("b"))).run();
        check(F64, 82).input("x", 2, 3, 6).input("s", 6).input("b", 6).op((e, in) -> e.op(
                "LayerNormalization", attrs("axis", Attr.of(-1L), "epsilon", Attr.of(1e-5f)), in.get("x"),
                in.get("s"), in.get("b"))).run();
        check(F64, 83).input("x", 2, 4, 3, 3).input("s", 4, 3, 3).input("b", 4, 3, 3).op((e, in) -> e.op(
                "LayerNormalization", attrs("axis", Attr.of(1L), "epsilon", Attr.of(1e-5f)), in.get("x"),
                in.get("s"), in.get("b"))).run();
    }

    // ---- engine ----

    @Test
    void fanOutSumsAndChainsThroughSeveralOps() throws Exception {
        check(F64, 90).input("x", 3, 4).input("w", 4, 4).op((e, in) -> {
            Value h = e.op("Tanh", e.op("MatMul", in.get("x"), in.get("w")));
            return e.add(e.mul(h, h), e.op("Sigmoid", e.add(h, in.get("x"))));
        }).run();
    }

    @Test
    void missingRuleIsAnErrorNamingTheOp() {
        Graph g = new Graph("m");
        Value x = g.addInput(new Value("x", TensorType.of(F64, 3)));
        Ops e = GraphBuilder.editing(g, 17).inferTypes(false).ops();
        Value y = e.op("Cosh", x);
        y.setType(TensorType.of(F64, 3));
        Value loss = e.reduceSum(y, false);
        loss.setType(TensorType.of(F64));
        MissingBackwardRuleException ex = assertThrows(MissingBackwardRuleException.class,
                () -> Autodiff.gradients(g, 17, loss, List.of(x)));
        assertTrue(ex.getMessage().contains("Cosh"), ex.getMessage());
    }

    @Test
    void opsOffThePathNeedNoRule() {
        Graph g = new Graph("m");
        Value x = g.addInput(new Value("x", TensorType.of(F64, 3)));
        Value other = g.addInput(new Value("c", TensorType.of(F64, 3)));
        Ops e = GraphBuilder.editing(g, 17).inferTypes(false).ops();
        Value side = e.op("Cosh", other); // depends on no requested input: pruned
        side.setType(TensorType.of(F64, 3));
        Value y = e.mul(x, side);
        y.setType(TensorType.of(F64, 3));
        Value loss = e.reduceSum(y, false);
        loss.setType(TensorType.of(F64));
        assertTrue(Autodiff.gradients(g, 17, loss, List.of(x)).get(x) != null);
    }
    // ---- single-op activations (IIEU baselines, imported models) ----

    @Test
    void eluWithNonDefaultAlpha() throws Exception {
        // ORT's Elu is float32-only: a float32-sized step, with inputs kept a step away from the kink at 0.
        Random r = new Random(140);
        double[] x = new double[60];
        for (int i = 0; i < x.length; i++) {
            double v = r.nextGaussian();
            x[i] = Math.copySign(0.05 + Math.abs(v), v);
        }
        check(F32, 140).input("x", new long[] {3, 4, 5}, x).tolerance(1e-2, 5e-3).op((e, in) -> e.op("Elu",
                attrs("alpha", Attr.of(0.7f)), in.get("x"))).run();
    }

    @Test
    void preluSlopeGradientPerChannelAndShared() throws Exception {
        check(F64, 141).input("x", 2, 3, 4, 4).input("slope", 3, 1, 1)
                .op((e, in) -> e.op("PRelu", in.get("x"), in.get("slope"))).run();
        check(F64, 142).input("x", 2, 3, 4, 4).input("slope", 1)
                .op((e, in) -> e.op("PRelu", in.get("x"), in.get("slope"))).run();
    }

    @Test
    void geluExactAndTanhAtOpset20() throws Exception {
        check(F32, 143).input("x", 3, 4, 5).opset(20).tolerance(1e-2, 5e-3)
                .op((e, in) -> e.op("Gelu", in.get("x"))).run();
        check(F32, 144).input("x", 3, 4, 5).opset(20).tolerance(1e-2, 5e-3).op((e, in) -> e.op("Gelu",
                attrs("approximate", Attr.of("tanh")), in.get("x"))).run();
    }

    @Test
    void mishAtOpset18() throws Exception {
        check(F32, 145).input("x", 3, 4, 5).opset(18).tolerance(1e-2, 5e-3)
                .op((e, in) -> e.op("Mish", in.get("x"))).run();
    }
}

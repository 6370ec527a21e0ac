package dev.lathe.graph.infer;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Inference rules for the ai.onnx operators Lathe's models and torch.onnx exports use, with the semantics of
 * opsets 13 to 21 (and the attribute forms of older opsets where an import still carries them: Squeeze/Unsqueeze/
 * Split/Reduce axes as attributes, Pad's pads attribute). Unknown and symbolic dimensions propagate; a rule fails
 * (naming the node through {@link InferenceContext#fail}) only when the inputs cannot be valid for the op.
 */
final class OnnxRules {
    private OnnxRules() {}

    static void registerAll() {
        for (String op : List.of("Relu", "Sigmoid", "Tanh", "Exp", "Log", "Erf", "Sqrt", "Reciprocal", "Abs", "Neg",
                "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Softplus", "Softsign", "Identity", "LeakyRelu",
                "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "Mish", "Gelu", "Clip", "Softmax", "LogSoftmax",
                "Hardmax", "InstanceNormalization", "GroupNormalization", "LRN", "CumSum", "Trilu")) {
            ShapeInference.register(op, c -> List.of(c.input(0)));
        }
        for (String op : List.of("Add", "Sub", "Mul", "Div", "Min", "Max", "Sum", "Mean", "Mod")) {
            ShapeInference.register(op, OnnxRules::broadcastN);
        }
        ShapeInference.register("Pow", c -> List.of(new TensorType(c.dtype(0), broadcastShapes(c, 0, 1))));
        ShapeInference.register("PRelu", c -> List.of(new TensorType(c.dtype(0), broadcastShapes(c, 0, 1))));
        for (String op : List.of("Less", "Greater", "Equal", "LessOrEqual", "GreaterOrEqual")) {
            ShapeInference.register(op, c -> {
                requireSameType(c, 0, 1);
                return List.of(new TensorType(DataType.BOOL, broadcastShapes(c, 0, 1)));
            });
        }
        for (String op : List.of("And", "Or", "Xor")) {
            ShapeInference.register(op, c -> {
                requireType(c, 0, DataType.BOOL);
                requireType(c, 1, DataType.BOOL);
                return List.of(new TensorType(DataType.BOOL, broadcastShapes(c, 0, 1)));
            });
        }
        ShapeInference.register("Not", c -> {
            requireType(c, 0, DataType.BOOL);
            return List.of(c.input(0));
        });
        ShapeInference.register("IsNaN", c -> List.of(new TensorType(DataType.BOOL, c.input(0).shape())));
        ShapeInference.register("IsInf", c -> List.of(new TensorType(DataType.BOOL, c.input(0).shape())));
        ShapeInference.register("Where", OnnxRules::where);
        ShapeInference.register("ScatterElements", c -> List.of(c.input(0)));
        ShapeInference.register("Cast", c -> List.of(new TensorType(castTarget(c), c.input(0).shape())));
        ShapeInference.register("CastLike", c -> List.of(new TensorType(c.dtype(1), c.input(0).shape())));
        ShapeInference.register("Dropout", c -> List.of(c.input(0), new TensorType(DataType.BOOL,
                c.input(0).shape())));

        // Random draws: the shape is an attribute (or the input's), the type the dtype attribute (default FLOAT, or
        // the input's for the *Like forms and Bernoulli).
        for (String op : List.of("RandomUniform", "RandomNormal")) {
            ShapeInference.register(op, c -> {
                long[] shape = c.attrInts("shape", null);
                if (shape == null) {
                    throw c.fail("needs its shape attribute");
                }
                return List.of(new TensorType(randomType(c, DataType.FLOAT), Shape.of(shape)));
            });
        }
        for (String op : List.of("RandomUniformLike", "RandomNormalLike", "Bernoulli")) {
            ShapeInference.register(op, c -> List.of(new TensorType(randomType(c, c.dtype(0)), c.shape(0))));
        }

        ShapeInference.register("Conv", OnnxRules::conv);
        ShapeInference.register("ConvTranspose", OnnxRules::convTranspose);
        ShapeInference.register("MaxPool", c -> {
            TensorType y = pool(c);
            return List.of(y, new TensorType(DataType.INT64, y.shape()));
        });
        ShapeInference.register("AveragePool", c -> List.of(pool(c)));
        ShapeInference.register("LpPool", c -> List.of(pool(c)));
        ShapeInference.register("GlobalAveragePool", OnnxRules::globalPool);
        ShapeInference.register("GlobalMaxPool", OnnxRules::globalPool);
        ShapeInference.register("GlobalLpPool", OnnxRules::globalPool);
        ShapeInference.register("BatchNormalization", OnnxRules::batchNorm);
        ShapeInference.register("LayerNormalization", OnnxRules::layerNorm);

        ShapeInference.register("MatMul", OnnxRules::matMul);
        ShapeInference.register("Gemm", OnnxRules::gemm);

        ShapeInference.register("Flatten", OnnxRules::flatten);
        ShapeInference.register("Reshape", OnnxRules::reshape);
        ShapeInference.register("Transpose", OnnxRules::transpose);
        ShapeInference.register("Concat", OnnxRules::concat);
        ShapeInference.register("Split", OnnxRules::split);
        ShapeInference.register("Slice", OnnxRules::slice);
        ShapeInference.register("Squeeze", OnnxRules::squeeze);
        ShapeInference.register("Unsqueeze", OnnxRules::unsqueeze);
        ShapeInference.register("Tile", OnnxRules::tile);
        ShapeInference.register("Expand", c -> {
            ShapeValue target = c.shapeValue(1);
            Shape to = target != null ? target.toShape() : unknownShape(c, 1);
            if (to == null) {
                return List.of(new TensorType(c.dtype(0), null));
            }
            return List.of(new TensorType(c.dtype(0), broadcast(c, c.shape(0), to)));
        });
        ShapeInference.register("Shape", OnnxRules::shapeOp);
        ShapeInference.register("Size", c -> List.of(new TensorType(DataType.INT64, new Shape(List.of()))));
        ShapeInference.register("Gather", OnnxRules::gather);
        ShapeInference.register("GatherElements", c -> List.of(new TensorType(c.dtype(0), c.shape(1))));
        ShapeInference.register("Constant", OnnxRules::constant);
        ShapeInference.register("ConstantOfShape", OnnxRules::constantOfShape);
        ShapeInference.register("Range", OnnxRules::range);
        ShapeInference.register("DepthToSpace", OnnxRules::depthToSpace);
        ShapeInference.register("SpaceToDepth", OnnxRules::spaceToDepth);
        ShapeInference.register("Resize", OnnxRules::resize);
        ShapeInference.register("Pad", OnnxRules::pad);

        for (String op : List.of("ReduceMean", "ReduceSum", "ReduceL1", "ReduceL2", "ReduceMax", "ReduceMin",
                "ReduceProd", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp")) {
            ShapeInference.register(op, OnnxRules::reduce);
        }
        ShapeInference.register("ArgMax", OnnxRules::argReduce);
        ShapeInference.register("ArgMin", OnnxRules::argReduce);

        ShapeInference.register("QuantizeLinear", OnnxRules::quantizeLinear);
        ShapeInference.register("DequantizeLinear", c -> {
            // scale's type is the output type (float until opset 19 allowed float16/bfloat16 scales)
            return List.of(new TensorType(c.dtype(1), c.input(0).shape()));
        });
    }

    // ---------------------------------------------------------------- helpers

    private static DataType randomType(InferenceContext c, DataType fallback) {
        long code = c.attrInt("dtype", -1);
        return code < 0 ? fallback : DataType.fromCode((int) code);
    }

    /** Product of dimensions: fixed if all are fixed, the single symbolic one when the rest multiply to 1. */
    static Dim product(List<Dim> dims) {
        long p = 1;
        Dim symbolic = null;
        for (Dim d : dims) {
            if (d instanceof Dim.Fixed f) {
                p *= f.size();
            } else if (symbolic == null && d instanceof Dim.Symbolic) {
                symbolic = d;
            } else {
                return Dim.UNKNOWN;
            }
        }
        if (symbolic != null) {
            return p == 1 ? symbolic : Dim.UNKNOWN;
        }
        return Dim.of(p);
    }

    static long[] ones(int n) {
        long[] o = new long[n];
        Arrays.fill(o, 1);
        return o;
    }

    /** Normalizes a possibly negative axis into [0, rank), failing with the node's name when out of range. */
    static int axis(InferenceContext c, long axis, int rank, String what) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw c.fail(what + " " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    private static void requireSameType(InferenceContext c, int i, int j) {
        if (c.dtype(i) != c.dtype(j)) {
            throw c.fail("input " + j + " has type " + c.dtype(j) + ", input " + i + " has " + c.dtype(i));
        }
    }

    private static void requireType(InferenceContext c, int i, DataType t) {
        if (c.dtype(i) != t) {
            throw c.fail("input " + i + " must be " + t + ", got " + c.dtype(i));
        }
    }

    /** A rank-only shape for a 1-D shape-like input whose values are not known, or null if its length is unknown. */
    private static Shape unknownShape(InferenceContext c, int i) {
        Shape s = c.shape(i);
        if (s.rank() != 1 || !s.get(0).isFixed()) {
            return null;
        }
        return new Shape(Collections.nCopies((int) s.get(0).size(), Dim.UNKNOWN));
    }

    /** Integer list from constant input i when present, else from attribute {@code attr} (older opsets). */
    private static long[] intsFromInputOrAttr(InferenceContext c, int i, String attr) {
        if (c.hasInput(i)) {
            ShapeValue v = c.shapeValue(i);
            return v == null ? null : v.knownValues();
        }
        return c.attrInts(attr, null);
    }

    /** Numpy-style multidirectional broadcasting of all inputs, which must share one element type. */
    static List<TensorType> broadcastN(InferenceContext c) {
        Shape out = c.input(0).shape();
        for (int i = 1; i < c.inputCount(); i++) {
            requireSameType(c, 0, i);
            Shape s = c.input(i).shape();
            out = out == null || s == null ? null : broadcast(c, out, s);
        }
        return List.of(new TensorType(c.dtype(0), out));
    }

    private static Shape broadcastShapes(InferenceContext c, int i, int j) {
        Shape a = c.input(i).shape();
        Shape b = c.input(j).shape();
        return a == null || b == null ? null : broadcast(c, a, b);
    }

    static Shape broadcast(InferenceContext c, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        List<Dim> out = new ArrayList<>(r);
        for (int i = 0; i < r; i++) {
            Dim x = i - (r - a.rank()) >= 0 ? a.get(i - (r - a.rank())) : Dim.of(1);
            Dim y = i - (r - b.rank()) >= 0 ? b.get(i - (r - b.rank())) : Dim.of(1);
            out.add(broadcastDim(c, x, y, a, b));
        }
        return new Shape(out);
    }

    private static Dim broadcastDim(InferenceContext c, Dim x, Dim y, Shape a, Shape b) {
        if (x.equals(y)) {
            return x;
        }
        if (x instanceof Dim.Fixed fx && fx.size() == 1) {
            return y;
        }
        if (y instanceof Dim.Fixed fy && fy.size() == 1) {
            return x;
        }
        if (x instanceof Dim.Fixed fx && y instanceof Dim.Fixed fy) {
            long d = IntOps.broadcastDim(fx.size(), fy.size());
            if (d < 0) {
                throw c.fail("shapes " + a + " and " + b + " do not broadcast");
            }
            return Dim.of(d);
        }
        // a symbolic or unknown dim against a fixed one (not 1) must equal it, else the model is invalid
        return x.isFixed() ? x : (y.isFixed() ? y : Dim.UNKNOWN);
    }

    /** Two dims that must be equal (concat's other axes, matmul's K): the more specific one, or a failure. */
    private static Dim merge(InferenceContext c, Dim a, Dim b, String what) {
        if (a.isFixed() && b.isFixed() && a.size() != b.size()) {
            throw c.fail(what + ": " + a + " vs " + b);
        }
        if (a.isFixed()) {
            return a;
        }
        if (b.isFixed()) {
            return b;
        }
        return a instanceof Dim.Symbolic ? a : b;
    }

    // ---------------------------------------------------------------- elementwise

    private static List<TensorType> where(InferenceContext c) {
        requireType(c, 0, DataType.BOOL);
        requireSameType(c, 1, 2);
        Shape s = broadcastShapes(c, 1, 2);
        Shape cond = c.input(0).shape();
        return List.of(new TensorType(c.dtype(1), s == null || cond == null ? null : broadcast(c, cond, s)));
    }

    private static DataType castTarget(InferenceContext c) {
        long to = c.attrInt("to", -1);
        try {
            return DataType.fromCode((int) to);
        } catch (IllegalArgumentException e) {
            throw c.fail("attribute 'to' = " + to + " is not an ONNX data type");
        }
    }

    // ---------------------------------------------------------------- conv, pool, norm

    /** One output spatial size of a conv or pooling window, ONNX semantics incl. auto_pad and ceil_mode. */
    private static Dim windowOut(InferenceContext c, Dim in, long k, long stride, long dil, long padBegin,
                                 long padEnd, String autoPad, boolean ceil) {
        if (!in.isFixed()) {
            return Dim.UNKNOWN;
        }
        long size = in.size();
        long ek = (k - 1) * dil + 1;
        long o;
        if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
            o = (size + stride - 1) / stride;
        } else if (autoPad.equals("VALID")) {
            o = ceil ? (size - ek + stride) / stride : (size - ek) / stride + 1;
        } else if (autoPad.equals("NOTSET") || autoPad.isEmpty()) {
            long span = size + padBegin + padEnd - ek;
            if (span < 0) {
                throw c.fail("spatial size " + size + " with pads " + padBegin + "+" + padEnd
                        + " is smaller than the (dilated) kernel " + ek);
            }
            if (ceil) {
                o = (span + stride - 1) / stride + 1;
                // the last window must start inside the input or left padding (PyTorch and ONNX Runtime rule)
                if ((o - 1) * stride >= size + padBegin) {
                    o--;
                }
            } else {
                o = span / stride + 1;
            }
        } else {
            throw c.fail("unknown auto_pad '" + autoPad + "'");
        }
        if (o <= 0) {
            throw c.fail("spatial size " + size + " too small for kernel " + k + " (output " + o + ")");
        }
        return Dim.of(o);
    }

    static List<TensorType> conv(InferenceContext c) {
        Shape x = c.shape(0);
        Shape w = c.shape(1);
        requireSameType(c, 0, 1);
        if (x.rank() != w.rank() || x.rank() < 3) {
            throw c.fail("input rank " + x.rank() + " but weight rank " + w.rank() + " (both must be >= 3 and equal)");
        }
        int spatial = x.rank() - 2;
        long group = c.attrInt("group", 1);
        if (x.get(1).isFixed() && w.get(1).isFixed() && x.get(1).size() != w.get(1).size() * group) {
            throw c.fail("input has " + x.get(1) + " channels, weight " + w + " with group " + group + " expects "
                    + w.get(1).size() * group);
        }
        if (w.get(0).isFixed() && w.get(0).size() % group != 0) {
            throw c.fail("weight " + w + " has " + w.get(0) + " output channels, not divisible by group " + group);
        }
        if (c.hasInput(2)) {
            Shape b = c.shape(2);
            if (b.rank() != 1 || (b.get(0).isFixed() && w.get(0).isFixed() && b.get(0).size() != w.get(0).size())) {
                throw c.fail("bias shape " + b + " does not match " + w.get(0) + " output channels");
            }
        }
        long[] kernel = c.attrInts("kernel_shape", null);
        long[] strides = c.attrInts("strides", ones(spatial));
        long[] dil = c.attrInts("dilations", ones(spatial));
        long[] pads = c.attrInts("pads", new long[2 * spatial]);
        String autoPad = c.attrString("auto_pad", "NOTSET");
        List<Dim> out = new ArrayList<>();
        out.add(x.get(0));
        out.add(w.get(0));
        for (int i = 0; i < spatial; i++) {
            Dim wk = w.get(2 + i);
            if (kernel == null && !wk.isFixed()) {
                out.add(Dim.UNKNOWN);
                continue;
            }
            long k = kernel != null ? kernel[i] : wk.size();
            out.add(windowOut(c, x.get(2 + i), k, strides[i], dil[i], pads[i], pads[i + spatial], autoPad, false));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> convTranspose(InferenceContext c) {
        Shape x = c.shape(0);
        Shape w = c.shape(1);
        requireSameType(c, 0, 1);
        if (x.rank() != w.rank() || x.rank() < 3) {
            throw c.fail("input rank " + x.rank() + " but weight rank " + w.rank() + " (both must be >= 3 and equal)");
        }
        int spatial = x.rank() - 2;
        long group = c.attrInt("group", 1);
        if (x.get(1).isFixed() && w.get(0).isFixed() && x.get(1).size() != w.get(0).size()) {
            throw c.fail("input has " + x.get(1) + " channels, ConvTranspose weight " + w + " expects " + w.get(0));
        }
        long[] kernel = c.attrInts("kernel_shape", null);
        long[] strides = c.attrInts("strides", ones(spatial));
        long[] dil = c.attrInts("dilations", ones(spatial));
        long[] pads = c.attrInts("pads", new long[2 * spatial]);
        long[] outPad = c.attrInts("output_padding", new long[spatial]);
        long[] outShape = c.attrInts("output_shape", null);
        String autoPad = c.attrString("auto_pad", "NOTSET");
        List<Dim> out = new ArrayList<>();
        out.add(x.get(0));
        out.add(w.get(1).isFixed() ? Dim.of(w.get(1).size() * group) : Dim.UNKNOWN);
        for (int i = 0; i < spatial; i++) {
            if (outShape != null) {
                // output_shape may list only the spatial dims or the full shape
                out.add(Dim.of(outShape[outShape.length - spatial + i]));
                continue;
            }
            Dim in = x.get(2 + i);
            Dim wk = w.get(2 + i);
            if (!in.isFixed() || (kernel == null && !wk.isFixed())) {
                out.add(Dim.UNKNOWN);
                continue;
            }
            long k = kernel != null ? kernel[i] : wk.size();
            long o;
            if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                o = in.size() * strides[i];
            } else {
                long p = autoPad.equals("VALID") ? 0 : pads[i] + pads[i + spatial];
                o = strides[i] * (in.size() - 1) + outPad[i] + (k - 1) * dil[i] + 1 - p;
            }
            if (o <= 0) {
                throw c.fail("output spatial size " + o + " is not positive");
            }
            out.add(Dim.of(o));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static TensorType pool(InferenceContext c) {
        Shape x = c.shape(0);
        if (x.rank() < 3) {
            throw c.fail("input rank " + x.rank() + " < 3; pooling expects [N, C, spatial...]");
        }
        int spatial = x.rank() - 2;
        long[] kernel = c.attrInts("kernel_shape", null);
        if (kernel == null || kernel.length != spatial) {
            throw c.fail("kernel_shape " + Arrays.toString(kernel) + " must have " + spatial + " entries");
        }
        long[] strides = c.attrInts("strides", ones(spatial));
        long[] dil = c.attrInts("dilations", ones(spatial));
        long[] pads = c.attrInts("pads", new long[2 * spatial]);
        String autoPad = c.attrString("auto_pad", "NOTSET");
        boolean ceil = c.attrInt("ceil_mode", 0) != 0;
        List<Dim> out = new ArrayList<>(x.dims().subList(0, 2));
        for (int i = 0; i < spatial; i++) {
            out.add(windowOut(c, x.get(2 + i), kernel[i], strides[i], dil[i], pads[i], pads[i + spatial], autoPad,
                    ceil));
        }
        return new TensorType(c.dtype(0), new Shape(out));
    }

    private static List<TensorType> globalPool(InferenceContext c) {
        Shape s = c.shape(0);
        if (s.rank() < 3) {
            throw c.fail("input rank " + s.rank() + " < 3; global pooling expects [N, C, spatial...]");
        }
        List<Dim> d = new ArrayList<>(s.dims().subList(0, 2));
        for (int i = 2; i < s.rank(); i++) {
            d.add(Dim.of(1));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(d)));
    }

    private static List<TensorType> batchNorm(InferenceContext c) {
        Shape x = c.shape(0);
        if (x.rank() < 2) {
            throw c.fail("input rank " + x.rank() + " < 2; BatchNormalization expects [N, C, ...]");
        }
        Dim ch = x.get(1);
        for (int i = 1; i <= 4; i++) {
            Shape p = c.shape(i);
            if (p.rank() != 1 || (ch.isFixed() && p.get(0).isFixed() && p.get(0).size() != ch.size())) {
                throw c.fail("input " + i + " ('" + c.node().input(i).name() + "') has shape " + p + ", expected ["
                        + ch + "]");
            }
        }
        // opset 14+ training mode adds running mean and variance outputs, shaped like the statistics
        return List.of(c.input(0), c.input(3), c.input(4));
    }

    private static List<TensorType> layerNorm(InferenceContext c) {
        Shape x = c.shape(0);
        int a = axis(c, c.attrInt("axis", -1), x.rank(), "axis");
        Shape scale = c.shape(1);
        List<Dim> normalized = x.dims().subList(a, x.rank());
        if (scale.rank() > normalized.size()) {
            throw c.fail("scale shape " + scale + " has more dims than the normalized part " + normalized);
        }
        broadcast(c, new Shape(normalized), scale);
        List<Dim> stat = new ArrayList<>(x.dims().subList(0, a));
        for (int i = a; i < x.rank(); i++) {
            stat.add(Dim.of(1));
        }
        DataType stash = c.attrInt("stash_type", 1) == 1 ? DataType.FLOAT : c.dtype(0);
        TensorType st = new TensorType(stash, new Shape(stat));
        return List.of(c.input(0), st, st);
    }

    // ---------------------------------------------------------------- linear algebra

    private static List<TensorType> matMul(InferenceContext c) {
        requireSameType(c, 0, 1);
        Shape a = c.shape(0);
        Shape b = c.shape(1);
        if (a.rank() == 0 || b.rank() == 0) {
            throw c.fail("MatMul inputs must have rank >= 1, got " + a + " and " + b);
        }
        boolean aVec = a.rank() == 1;
        boolean bVec = b.rank() == 1;
        List<Dim> ad = new ArrayList<>(a.dims());
        List<Dim> bd = new ArrayList<>(b.dims());
        if (aVec) {
            ad.add(0, Dim.of(1));
        }
        if (bVec) {
            bd.add(Dim.of(1));
        }
        merge(c, ad.get(ad.size() - 1), bd.get(bd.size() - 2), "inner dimensions of " + a + " @ " + b
                + " differ");
        Shape batch = broadcast(c, new Shape(ad.subList(0, ad.size() - 2)), new Shape(bd.subList(0, bd.size() - 2)));
        List<Dim> out = new ArrayList<>(batch.dims());
        if (!aVec) {
            out.add(ad.get(ad.size() - 2));
        }
        if (!bVec) {
            out.add(bd.get(bd.size() - 1));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> gemm(InferenceContext c) {
        requireSameType(c, 0, 1);
        Shape a = c.shape(0);
        Shape b = c.shape(1);
        if (a.rank() != 2 || b.rank() != 2) {
            throw c.fail("Gemm inputs must be 2-D, got " + a + " and " + b);
        }
        boolean ta = c.attrInt("transA", 0) != 0;
        boolean tb = c.attrInt("transB", 0) != 0;
        Dim m = ta ? a.get(1) : a.get(0);
        Dim ka = ta ? a.get(0) : a.get(1);
        Dim kb = tb ? b.get(1) : b.get(0);
        Dim n = tb ? b.get(0) : b.get(1);
        merge(c, ka, kb, "inner dimensions of A " + a + (ta ? "^T" : "") + " and B " + b + (tb ? "^T" : "")
                + " differ");
        Shape out = new Shape(List.of(m, n));
        if (c.hasInput(2)) {
            // C must be unidirectionally broadcastable to [M, N]
            Shape bias = c.shape(2);
            Shape joined = broadcast(c, out, bias);
            if (!joined.equals(out) && out.isStatic()) {
                throw c.fail("bias " + bias + " does not broadcast to " + out);
            }
        }
        return List.of(new TensorType(c.dtype(0), out));
    }

    // ---------------------------------------------------------------- shape manipulation

    private static List<TensorType> flatten(InferenceContext c) {
        Shape s = c.shape(0);
        long ax = c.attrInt("axis", 1);
        if (ax < 0) {
            ax += s.rank();
        }
        if (ax < 0 || ax > s.rank()) {
            throw c.fail("axis " + c.attrInt("axis", 1) + " is out of range for rank " + s.rank());
        }
        return List.of(new TensorType(c.dtype(0), new Shape(List.of(product(s.dims().subList(0, (int) ax)),
                product(s.dims().subList((int) ax, s.rank()))))));
    }

    private static List<TensorType> reshape(InferenceContext c) {
        Shape in = c.shape(0);
        ShapeValue target = c.shapeValue(1);
        if (target == null) {
            return List.of(new TensorType(c.dtype(0), unknownShape(c, 1)));
        }
        if (target.scalar()) {
            throw c.fail("shape input must be 1-D, got a scalar");
        }
        boolean allowZero = c.attrInt("allowzero", 0) != 0;
        List<Dim> out = new ArrayList<>();
        int inferred = -1;
        for (int i = 0; i < target.size(); i++) {
            ShapeValue.Term t = target.get(i);
            if (t.isKnown() && t.value() == -1) {
                if (inferred >= 0) {
                    throw c.fail("shape " + target + " has more than one -1");
                }
                inferred = i;
                out.add(Dim.UNKNOWN);
            } else if (t.isKnown() && t.value() == 0 && !allowZero) {
                if (i >= in.rank()) {
                    throw c.fail("shape " + target + " copies dim " + i + " (0) but the input " + in + " has rank "
                            + in.rank());
                }
                out.add(in.get(i));
            } else if (t.isKnown() && t.value() < -1) {
                throw c.fail("shape " + target + " has invalid entry " + t.value());
            } else {
                out.add(t.toDim());
            }
        }
        if (inferred >= 0) {
            out.set(inferred, solveMissing(c, in.dims(), out, inferred, target));
        } else {
            checkSameCount(c, in.dims(), out, target);
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    /**
     * Splits dims into a fixed product and a sorted list of symbols; null when an unknown dim makes that
     * impossible. Equal symbol lists on both sides of a reshape cancel out.
     */
    private static List<Object> factor(List<Dim> dims, int skip) {
        long p = 1;
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < dims.size(); i++) {
            if (i == skip) {
                continue;
            }
            Dim d = dims.get(i);
            if (d instanceof Dim.Fixed f) {
                p *= f.size();
            } else if (d instanceof Dim.Symbolic s) {
                symbols.add(s.name());
            } else {
                return null;
            }
        }
        Collections.sort(symbols);
        return List.of(p, symbols);
    }

    private static Dim solveMissing(InferenceContext c, List<Dim> in, List<Dim> out, int at, ShapeValue target) {
        List<Object> fi = factor(in, -1);
        List<Object> fo = factor(out, at);
        if (fi == null || fo == null) {
            return Dim.UNKNOWN;
        }
        long pi = (Long) fi.get(0);
        long po = (Long) fo.get(0);
        List<?> si = (List<?>) fi.get(1);
        List<?> so = (List<?>) fo.get(1);
        if (si.equals(so)) {
            if (po == 0 || pi % po != 0) {
                throw c.fail("cannot reshape " + new Shape(in) + " to " + target + ": " + pi + " elements are not a"
                        + " multiple of " + po);
            }
            return Dim.of(pi / po);
        }
        if (so.isEmpty() && si.size() == 1 && pi == po) {
            return Dim.of((String) si.get(0));
        }
        return Dim.UNKNOWN;
    }

    private static void checkSameCount(InferenceContext c, List<Dim> in, List<Dim> out, ShapeValue target) {
        List<Object> fi = factor(in, -1);
        List<Object> fo = factor(out, -1);
        if (fi != null && fo != null && fi.get(1).equals(fo.get(1)) && !fi.get(0).equals(fo.get(0))) {
            throw c.fail("cannot reshape " + new Shape(in) + " (" + fi.get(0) + " elements) to " + target + " ("
                    + fo.get(0) + " elements)");
        }
    }

    private static List<TensorType> transpose(InferenceContext c) {
        Shape s = c.shape(0);
        long[] perm = c.attrInts("perm", null);
        if (perm == null) {
            perm = new long[s.rank()];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = s.rank() - 1 - i;
            }
        }
        if (perm.length != s.rank()) {
            throw c.fail("perm " + Arrays.toString(perm) + " has " + perm.length + " entries for rank " + s.rank());
        }
        boolean[] seen = new boolean[perm.length];
        List<Dim> out = new ArrayList<>();
        for (long p : perm) {
            int a = axis(c, p, s.rank(), "perm entry");
            if (seen[a]) {
                throw c.fail("perm " + Arrays.toString(perm) + " repeats axis " + a);
            }
            seen[a] = true;
            out.add(s.get(a));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> concat(InferenceContext c) {
        Shape first = c.shape(0);
        int a = axis(c, c.attrInt("axis", 0), first.rank(), "axis");
        List<Dim> out = new ArrayList<>(first.dims());
        long total = 0;
        boolean fixed = true;
        for (int i = 0; i < c.inputCount(); i++) {
            requireSameType(c, 0, i);
            Shape s = c.shape(i);
            if (s.rank() != first.rank()) {
                throw c.fail("input " + i + " has rank " + s.rank() + ", input 0 has " + first.rank());
            }
            for (int d = 0; d < s.rank(); d++) {
                if (d != a) {
                    out.set(d, merge(c, out.get(d), s.get(d), "input " + i + " " + s + " differs from " + first
                            + " on axis " + d));
                }
            }
            if (s.get(a).isFixed()) {
                total += s.get(a).size();
            } else {
                fixed = false;
            }
        }
        out.set(a, fixed ? Dim.of(total) : Dim.UNKNOWN);
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> split(InferenceContext c) {
        Shape s = c.shape(0);
        int a = axis(c, c.attrInt("axis", 0), s.rank(), "axis");
        int n = c.outputCount();
        long[] sizes = intsFromInputOrAttr(c, 1, "split");
        Dim along = s.get(a);
        List<TensorType> out = new ArrayList<>();
        if (sizes != null) {
            if (sizes.length != n) {
                throw c.fail("split sizes " + Arrays.toString(sizes) + " give " + sizes.length + " parts for " + n
                        + " outputs");
            }
            long sum = Arrays.stream(sizes).sum();
            if (along.isFixed() && sum != along.size()) {
                throw c.fail("split sizes " + Arrays.toString(sizes) + " sum to " + sum + ", axis " + a + " of " + s
                        + " has " + along);
            }
            for (long size : sizes) {
                out.add(new TensorType(c.dtype(0), s.with(a, Dim.of(size))));
            }
            return out;
        }
        if (c.hasInput(1)) { // sizes given but not constant
            for (int i = 0; i < n; i++) {
                out.add(new TensorType(c.dtype(0), s.with(a, Dim.UNKNOWN)));
            }
            return out;
        }
        // equal split (num_outputs in opset 18+: the last part may be smaller)
        long parts = c.attrInt("num_outputs", n);
        for (int i = 0; i < n; i++) {
            Dim d = Dim.UNKNOWN;
            if (along.isFixed()) {
                long chunk = (along.size() + parts - 1) / parts;
                if (c.attr("num_outputs") == null && along.size() % parts != 0) {
                    throw c.fail("axis " + a + " of " + s + " does not split evenly into " + parts + " outputs");
                }
                d = Dim.of(i < n - 1 ? chunk : along.size() - chunk * (n - 1));
            }
            out.add(new TensorType(c.dtype(0), s.with(a, d)));
        }
        return out;
    }

    private static List<TensorType> slice(InferenceContext c) {
        Shape s = c.shape(0);
        long[] starts = intsFromInputOrAttr(c, 1, "starts");
        long[] ends = intsFromInputOrAttr(c, 2, "ends");
        long[] axes = intsFromInputOrAttr(c, 3, "axes");
        long[] steps = c.hasInput(4) ? intsFromInputOrAttr(c, 4, null) : null;
        if (starts == null || ends == null || (c.hasInput(3) && axes == null) || (c.hasInput(4) && steps == null)) {
            // bounds computed at run time: sliced axes unknown; without constant axes, every axis may change
            List<Dim> d = new ArrayList<>();
            for (int i = 0; i < s.rank(); i++) {
                d.add(axes != null && !contains(axes, i, s.rank()) ? s.get(i) : Dim.UNKNOWN);
            }
            return List.of(new TensorType(c.dtype(0), new Shape(d)));
        }
        if (starts.length != ends.length) {
            throw c.fail("starts " + Arrays.toString(starts) + " and ends " + Arrays.toString(ends) + " differ in"
                    + " length");
        }
        if (axes == null) {
            axes = new long[starts.length];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i;
            }
        }
        if (steps == null) {
            steps = ones(starts.length);
        }
        if (axes.length != starts.length || steps.length != starts.length) {
            throw c.fail("starts, ends, axes and steps must have equal lengths");
        }
        List<Dim> out = new ArrayList<>(s.dims());
        for (int i = 0; i < starts.length; i++) {
            int a = axis(c, axes[i], s.rank(), "axis");
            if (steps[i] == 0) {
                throw c.fail("slice step on axis " + a + " is 0");
            }
            Dim d = s.get(a);
            if (!d.isFixed()) {
                // slicing everything from 0 with step 1 (INT64_MAX end) keeps a symbolic dim
                boolean whole = starts[i] == 0 && steps[i] == 1 && ends[i] >= Integer.MAX_VALUE;
                out.set(a, whole ? d : Dim.UNKNOWN);
                continue;
            }
            out.set(a, Dim.of(IntOps.sliceAxis(starts[i], ends[i], steps[i], d.size())[1]));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static boolean contains(long[] axes, int a, int rank) {
        for (long x : axes) {
            if ((x < 0 ? x + rank : x) == a) {
                return true;
            }
        }
        return false;
    }

    private static List<TensorType> squeeze(InferenceContext c) {
        Shape s = c.shape(0);
        long[] axes = intsFromInputOrAttr(c, 1, "axes");
        if (axes == null && c.hasInput(1)) {
            return List.of(new TensorType(c.dtype(0), null));
        }
        List<Dim> out = new ArrayList<>();
        if (axes == null) {
            for (Dim d : s.dims()) {
                if (!d.isFixed()) {
                    return List.of(new TensorType(c.dtype(0), null)); // whether it is 1 decides the rank
                }
                if (d.size() != 1) {
                    out.add(d);
                }
            }
            return List.of(new TensorType(c.dtype(0), new Shape(out)));
        }
        boolean[] drop = new boolean[s.rank()];
        for (long ax : axes) {
            int a = axis(c, ax, s.rank(), "axis");
            if (s.get(a).isFixed() && s.get(a).size() != 1) {
                throw c.fail("cannot squeeze axis " + a + " of " + s + ": size " + s.get(a) + " is not 1");
            }
            drop[a] = true;
        }
        for (int i = 0; i < s.rank(); i++) {
            if (!drop[i]) {
                out.add(s.get(i));
            }
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> unsqueeze(InferenceContext c) {
        Shape s = c.shape(0);
        long[] axes = intsFromInputOrAttr(c, 1, "axes");
        if (axes == null) {
            if (c.hasInput(1)) {
                Shape ax = c.shape(1);
                if (ax.rank() == 1 && ax.get(0).isFixed()) {
                    return List.of(new TensorType(c.dtype(0), new Shape(Collections.nCopies(
                            (int) (s.rank() + ax.get(0).size()), Dim.UNKNOWN))));
                }
                return List.of(new TensorType(c.dtype(0), null));
            }
            throw c.fail("axes are required");
        }
        int r = s.rank() + axes.length;
        boolean[] inserted = new boolean[r];
        for (long ax : axes) {
            int a = axis(c, ax, r, "axis");
            if (inserted[a]) {
                throw c.fail("axes " + Arrays.toString(axes) + " repeat axis " + a);
            }
            inserted[a] = true;
        }
        List<Dim> out = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < r; i++) {
            out.add(inserted[i] ? Dim.of(1) : s.get(j++));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> tile(InferenceContext c) {
        Shape s = c.shape(0);
        ShapeValue reps = c.shapeValue(1);
        if (reps == null) {
            return List.of(new TensorType(c.dtype(0), new Shape(Collections.nCopies(s.rank(), Dim.UNKNOWN))));
        }
        if (reps.size() != s.rank()) {
            throw c.fail("repeats " + reps + " has " + reps.size() + " entries for input rank " + s.rank());
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            ShapeValue.Term t = reps.get(i);
            Dim d = s.get(i);
            if (t.isKnown() && t.value() == 1) {
                out.add(d);
            } else if (t.isKnown() && d.isFixed()) {
                out.add(Dim.of(d.size() * t.value()));
            } else {
                out.add(Dim.UNKNOWN);
            }
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> shapeOp(InferenceContext c) {
        Shape s = c.shape(0);
        int r = s.rank();
        int[] window = IntOps.shapeWindow(c.attrInt("start", 0), c.attrInt("end", r), r);
        return List.of(TensorType.of(DataType.INT64, window[1] - window[0]));
    }

    private static List<TensorType> gather(InferenceContext c) {
        Shape data = c.shape(0);
        Shape idx = c.shape(1);
        if (!c.dtype(1).isInteger()) {
            throw c.fail("indices must be int32 or int64, got " + c.dtype(1));
        }
        int a = axis(c, c.attrInt("axis", 0), data.rank(), "axis");
        List<Dim> out = new ArrayList<>(data.dims().subList(0, a));
        out.addAll(idx.dims());
        out.addAll(data.dims().subList(a + 1, data.rank()));
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> constant(InferenceContext c) {
        Tensor t = Constants.valueOf(c.node().output(0));
        if (t != null) {
            return List.of(t.type());
        }
        Attr a = c.attr("value_string");
        if (a != null) {
            return List.of(TensorType.of(DataType.STRING));
        }
        if (c.attr("value_strings") instanceof Attr.StringsAttr ss) {
            return List.of(TensorType.of(DataType.STRING, ss.values().size()));
        }
        throw c.fail("has no value attribute Lathe can read (value, value_int(s), value_float(s), value_string(s))");
    }

    private static List<TensorType> constantOfShape(InferenceContext c) {
        DataType dt = DataType.FLOAT;
        if (c.attr("value") instanceof Attr.TensorAttr t) {
            dt = t.value().dtype();
        }
        ShapeValue v = c.shapeValue(0);
        Shape s = v != null ? v.toShape() : unknownShape(c, 0);
        return List.of(new TensorType(dt, s));
    }

    private static List<TensorType> range(InferenceContext c) {
        Tensor start = c.constant(0);
        Tensor limit = c.constant(1);
        Tensor delta = c.constant(2);
        if (start == null || limit == null || delta == null) {
            return List.of(new TensorType(c.dtype(0), Shape.of((Object) null)));
        }
        double s = start.toDoubles()[0];
        double l = limit.toDoubles()[0];
        double d = delta.toDoubles()[0];
        if (d == 0) {
            throw c.fail("delta is 0");
        }
        long n = Math.max(0, (long) Math.ceil((l - s) / d));
        return List.of(TensorType.of(c.dtype(0), n));
    }

    private static List<TensorType> depthToSpace(InferenceContext c) {
        Shape s = c.shape(0);
        long b = c.attrInt("blocksize", 0);
        if (s.rank() != 4 || b <= 0) {
            throw c.fail("expects a 4-D input and blocksize > 0, got " + s + " and " + b);
        }
        Dim ch = s.get(1);
        if (ch.isFixed() && ch.size() % (b * b) != 0) {
            throw c.fail("channels " + ch + " are not divisible by blocksize^2 = " + b * b);
        }
        return List.of(new TensorType(c.dtype(0), Shape.of(s.get(0), ch.isFixed() ? ch.size() / (b * b) : null,
                scaleDim(s.get(2), b), scaleDim(s.get(3), b))));
    }

    private static List<TensorType> spaceToDepth(InferenceContext c) {
        Shape s = c.shape(0);
        long b = c.attrInt("blocksize", 0);
        if (s.rank() != 4 || b <= 0) {
            throw c.fail("expects a 4-D input and blocksize > 0, got " + s + " and " + b);
        }
        return List.of(new TensorType(c.dtype(0), Shape.of(s.get(0), scaleDim(s.get(1), b * b),
                s.get(2).isFixed() ? s.get(2).size() / b : null, s.get(3).isFixed() ? s.get(3).size() / b : null)));
    }

    private static Object scaleDim(Dim d, long k) {
        return d.isFixed() ? d.size() * k : null;
    }

    private static List<TensorType> resize(InferenceContext c) {
        Shape x = c.shape(0);
        int r = x.rank();
        long[] axes = c.attrInts("axes", null);
        if (axes == null) {
            axes = new long[r];
            for (int i = 0; i < r; i++) {
                axes[i] = i;
            }
        }
        int sizesInput = c.opset() >= 11 ? 3 : -1;
        int scalesInput = c.opset() >= 11 ? 2 : 1;
        List<Dim> out = new ArrayList<>(x.dims());
        if (sizesInput > 0 && c.hasInput(sizesInput) && c.shape(sizesInput).rank() == 1
                && !Dim.of(0).equals(c.shape(sizesInput).get(0))) {
            ShapeValue sizes = c.shapeValue(sizesInput);
            if (sizes != null && sizes.size() != axes.length) {
                throw c.fail("sizes " + sizes + " has " + sizes.size() + " entries for " + axes.length + " axes");
            }
            String policy = c.attrString("keep_aspect_ratio_policy", "stretch");
            long[] known = sizes == null ? null : sizes.knownValues();
            if (!policy.equals("stretch") && known != null) {
                double scale = policy.equals("not_larger") ? Double.MAX_VALUE : 0;
                for (int i = 0; i < axes.length; i++) {
                    Dim d = x.get(axis(c, axes[i], r, "axis"));
                    if (!d.isFixed()) {
                        scale = Double.NaN;
                        break;
                    }
                    double s = (double) known[i] / d.size();
                    scale = policy.equals("not_larger") ? Math.min(scale, s) : Math.max(scale, s);
                }
                for (long ax : axes) {
                    int a = axis(c, ax, r, "axis");
                    out.set(a, Double.isNaN(scale) ? Dim.UNKNOWN : Dim.of(Math.round(scale * x.get(a).size())));
                }
                return List.of(new TensorType(c.dtype(0), new Shape(out)));
            }
            for (int i = 0; i < axes.length; i++) {
                out.set(axis(c, axes[i], r, "axis"), sizes == null ? Dim.UNKNOWN : sizes.get(i).toDim());
            }
            return List.of(new TensorType(c.dtype(0), new Shape(out)));
        }
        if (!c.hasInput(scalesInput)) {
            throw c.fail("needs scales or sizes");
        }
        Tensor scales = c.constant(scalesInput);
        if (scales == null) {
            for (long ax : axes) {
                out.set(axis(c, ax, r, "axis"), Dim.UNKNOWN);
            }
            return List.of(new TensorType(c.dtype(0), new Shape(out)));
        }
        float[] f = scales.toFloats();
        if (f.length != axes.length) {
            throw c.fail("scales " + Arrays.toString(f) + " has " + f.length + " entries for " + axes.length
                    + " axes");
        }
        for (int i = 0; i < axes.length; i++) {
            int a = axis(c, axes[i], r, "axis");
            Dim d = x.get(a);
            if (f[i] == 1f) {
                continue;
            }
            // ONNX Runtime computes the size in float and truncates
            out.set(a, d.isFixed() ? Dim.of((long) (f[i] * (float) d.size())) : Dim.UNKNOWN);
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> pad(InferenceContext c) {
        Shape x = c.shape(0);
        int r = x.rank();
        long[] pads = c.opset() >= 11 ? intsFromInputOrAttr(c, 1, "pads") : c.attrInts("pads", null);
        long[] axes = c.opset() >= 18 && c.hasInput(3) ? intsFromInputOrAttr(c, 3, null) : null;
        if (pads == null || (c.hasInput(3) && axes == null && c.opset() >= 18)) {
            return List.of(new TensorType(c.dtype(0), new Shape(Collections.nCopies(r, Dim.UNKNOWN))));
        }
        if (axes == null) {
            axes = new long[r];
            for (int i = 0; i < r; i++) {
                axes[i] = i;
            }
        }
        if (pads.length != 2 * axes.length) {
            throw c.fail("pads " + Arrays.toString(pads) + " must have " + 2 * axes.length + " entries");
        }
        List<Dim> out = new ArrayList<>(x.dims());
        for (int i = 0; i < axes.length; i++) {
            int a = axis(c, axes[i], r, "axis");
            Dim d = x.get(a);
            long add = pads[i] + pads[i + axes.length];
            if (add == 0) {
                continue;
            }
            if (d.isFixed() && d.size() + add < 0) {
                throw c.fail("pads " + Arrays.toString(pads) + " make axis " + a + " of " + x + " negative");
            }
            out.set(a, d.isFixed() ? Dim.of(d.size() + add) : Dim.UNKNOWN);
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    // ---------------------------------------------------------------- reductions

    private static List<TensorType> reduce(InferenceContext c) {
        Shape x = c.shape(0);
        int r = x.rank();
        boolean keep = c.attrInt("keepdims", 1) != 0;
        long[] axes;
        if (c.hasInput(1)) { // axes as input: ReduceSum from opset 13, the others from 18
            ShapeValue v = c.shapeValue(1);
            axes = v == null ? null : v.knownValues();
            if (axes == null) {
                if (keep) {
                    return List.of(new TensorType(c.dtype(0), new Shape(Collections.nCopies(r, Dim.UNKNOWN))));
                }
                return List.of(new TensorType(c.dtype(0), null));
            }
        } else {
            axes = c.attrInts("axes", null);
        }
        if (axes == null || axes.length == 0) {
            if (c.attrInt("noop_with_empty_axes", 0) != 0) {
                return List.of(c.input(0));
            }
            axes = new long[r];
            for (int i = 0; i < r; i++) {
                axes[i] = i;
            }
        }
        boolean[] reduced = new boolean[r];
        for (long a : axes) {
            reduced[axis(c, a, r, "axis")] = true;
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (!reduced[i]) {
                out.add(x.get(i));
            } else if (keep) {
                out.add(Dim.of(1));
            }
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    private static List<TensorType> argReduce(InferenceContext c) {
        Shape x = c.shape(0);
        int a = axis(c, c.attrInt("axis", 0), x.rank(), "axis");
        boolean keep = c.attrInt("keepdims", 1) != 0;
        List<Dim> out = new ArrayList<>(x.dims());
        if (keep) {
            out.set(a, Dim.of(1));
        } else {
            out.remove(a);
        }
        return List.of(new TensorType(DataType.INT64, new Shape(out)));
    }

    // ---------------------------------------------------------------- quantization

    private static List<TensorType> quantizeLinear(InferenceContext c) {
        DataType out = DataType.UINT8;
        if (c.hasInput(2)) {
            out = c.dtype(2);
        } else if (c.attr("output_dtype") != null) {
            out = DataType.fromCode((int) c.attrInt("output_dtype", DataType.UINT8.code()));
        }
        return List.of(new TensorType(out, c.input(0).shape()));
    }
}

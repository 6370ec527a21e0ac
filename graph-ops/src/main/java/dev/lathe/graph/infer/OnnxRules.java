package dev.lathe.graph.infer;

import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/** Inference rules for the ai.onnx operators Lathe's models and torch.onnx exports use. */
final class OnnxRules {
    private OnnxRules() {}

    static void registerAll() {
        for (String op : List.of("Relu", "Sigmoid", "Tanh", "Exp", "Erf", "Sqrt", "Reciprocal", "Abs", "Neg",
                "Softplus", "Identity", "LeakyRelu", "Elu", "HardSigmoid", "HardSwish", "Mish", "Clip")) {
            ShapeInference.register(op, c -> List.of(c.input(0)));
        }
        for (String op : List.of("Add", "Sub", "Mul", "Div", "Pow", "Min", "Max")) {
            ShapeInference.register(op, OnnxRules::broadcastN);
        }
        ShapeInference.register("Conv", OnnxRules::conv);
        ShapeInference.register("BatchNormalization", c -> List.of(c.input(0)));
        ShapeInference.register("GlobalAveragePool", c -> {
            Shape s = c.shape(0);
            List<Dim> d = new ArrayList<>(s.dims().subList(0, 2));
            for (int i = 2; i < s.rank(); i++) {
                d.add(Dim.of(1));
            }
            return List.of(new TensorType(c.dtype(0), new Shape(d)));
        });
        ShapeInference.register("Flatten", c -> {
            Shape s = c.shape(0);
            long axis = c.attrInt("axis", 1);
            if (axis < 0) {
                axis += s.rank();
            }
            return List.of(new TensorType(c.dtype(0), new Shape(List.of(product(s.dims().subList(0, (int) axis)),
                    product(s.dims().subList((int) axis, s.rank()))))));
        });
        ShapeInference.register("Gemm", c -> {
            Shape a = c.shape(0);
            Shape b = c.shape(1);
            Dim m = c.attrInt("transA", 0) == 0 ? a.get(0) : a.get(1);
            Dim n = c.attrInt("transB", 0) == 0 ? b.get(1) : b.get(0);
            return List.of(new TensorType(c.dtype(0), new Shape(List.of(m, n))));
        });
    }

    /** Product of dimensions: fixed if all are fixed, else unknown (or the single symbolic one times 1). */
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

    /** Numpy-style multidirectional broadcasting of all inputs. */
    static List<TensorType> broadcastN(InferenceContext c) {
        Shape out = c.shape(0);
        for (int i = 1; i < c.inputCount(); i++) {
            if (c.dtype(i) != c.dtype(0)) {
                throw c.fail("input " + i + " has type " + c.dtype(i) + ", input 0 has " + c.dtype(0));
            }
            out = broadcast(c, out, c.shape(i));
        }
        return List.of(new TensorType(c.dtype(0), out));
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
        if (x instanceof Dim.Fixed && y instanceof Dim.Fixed) {
            throw c.fail("shapes " + a + " and " + b + " do not broadcast");
        }
        return x.isFixed() ? x : (y.isFixed() ? y : Dim.UNKNOWN);
    }

    static List<TensorType> conv(InferenceContext c) {
        Shape x = c.shape(0);
        Shape w = c.shape(1);
        if (x.rank() != w.rank()) {
            throw c.fail("input rank " + x.rank() + " but weight rank " + w.rank());
        }
        int spatial = x.rank() - 2;
        long group = c.attrInt("group", 1);
        if (x.get(1).isFixed() && w.get(1).isFixed() && x.get(1).size() != w.get(1).size() * group) {
            throw c.fail("input has " + x.get(1) + " channels, weight " + w + " with group " + group + " expects "
                    + w.get(1).size() * group);
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
            long k = kernel != null ? kernel[i] : w.get(2 + i).size();
            Dim in = x.get(2 + i);
            if (!in.isFixed()) {
                out.add(Dim.UNKNOWN);
                continue;
            }
            long size = in.size();
            long ek = (k - 1) * dil[i] + 1;
            long o;
            if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
                o = (size + strides[i] - 1) / strides[i];
            } else if (autoPad.equals("VALID")) {
                o = (size - ek) / strides[i] + 1;
            } else {
                o = (size + pads[i] + pads[i + spatial] - ek) / strides[i] + 1;
            }
            if (o <= 0) {
                throw c.fail("spatial size " + size + " too small for kernel " + k + " (output " + o + ")");
            }
            out.add(Dim.of(o));
        }
        return List.of(new TensorType(c.dtype(0), new Shape(out)));
    }

    static long[] ones(int n) {
        long[] o = new long[n];
        java.util.Arrays.fill(o, 1);
        return o;
    }
}

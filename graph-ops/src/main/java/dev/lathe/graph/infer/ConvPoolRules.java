package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.ones;
import static dev.lathe.graph.infer.OnnxRules.requireSameType;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape rules of convolutions and pooling: Conv, ConvTranspose, Max/Average/Lp pooling and their global
 * forms, with ONNX's auto_pad, dilations and ceil_mode.
 */
final class ConvPoolRules {
    private ConvPoolRules() {}

    static void registerAll() {
        ShapeInference.register("Conv", ConvPoolRules::conv);
        ShapeInference.register("ConvTranspose", ConvPoolRules::convTranspose);
        ShapeInference.register("MaxPool", c -> {
            TensorType y = pool(c);
            return List.of(y, new TensorType(DataType.INT64, y.shape()));
        });
        ShapeInference.register("AveragePool", c -> List.of(pool(c)));
        ShapeInference.register("LpPool", c -> List.of(pool(c)));
        ShapeInference.register("GlobalAveragePool", ConvPoolRules::globalPool);
        ShapeInference.register("GlobalMaxPool", ConvPoolRules::globalPool);
        ShapeInference.register("GlobalLpPool", ConvPoolRules::globalPool);
    }

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

    /** The number of spatial axes of a convolution's input and weight, which must share type and rank (>= 3). */
    private static int spatialRank(InferenceContext c, Shape x, Shape w) {
        requireSameType(c, 0, 1);
        if (x.rank() != w.rank() || x.rank() < 3) {
            throw c.fail("input rank " + x.rank() + " but weight rank " + w.rank() + " (both must be >= 3 and equal)");
        }
        return x.rank() - 2;
    }

    private static List<TensorType> conv(InferenceContext c) {
        Shape x = c.shape(0);
        Shape w = c.shape(1);
        int spatial = spatialRank(c, x, w);
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
        int spatial = spatialRank(c, x, w);
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
}

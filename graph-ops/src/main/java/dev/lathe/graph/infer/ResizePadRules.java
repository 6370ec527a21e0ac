package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.axis;
import static dev.lathe.graph.infer.OnnxRules.intsFromInputOrAttr;

import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Shape rules of Resize (scales or sizes, keep_aspect_ratio_policy, axes) and Pad (pads as attribute or input,
 * opset 18's axes).
 */
final class ResizePadRules {
    private ResizePadRules() {}

    static void registerAll() {
        ShapeInference.register("Resize", ResizePadRules::resize);
        ShapeInference.register("Pad", ResizePadRules::pad);
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
}

package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.axis;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Shape rules of reductions (axes as attribute or, from opset 13/18, as input; keepdims;
 * noop_with_empty_axes) and ArgMax/ArgMin.
 */
final class ReduceRules {
    private ReduceRules() {}

    static void registerAll() {
        for (String op : List.of("ReduceMean", "ReduceSum", "ReduceL1", "ReduceL2", "ReduceMax", "ReduceMin",
                "ReduceProd", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp")) {
            ShapeInference.register(op, ReduceRules::reduce);
        }
        ShapeInference.register("ArgMax", ReduceRules::argReduce);
        ShapeInference.register("ArgMin", ReduceRules::argReduce);
    }

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
}

package dev.lathe.pruning.importance;

import dev.lathe.graph.infer.Constants;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ParamSlice;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Group importance in Torch-Pruning's form: each parameter slice (layer) scores its indices by summing a per-element
 * value over the slice, the layers are averaged per unit ("mean" group reduction) and the result is divided by its
 * mean over the group ("mean" normaliser).
 */
final class SliceScores {
    /**
     * Index sums per constant and axis: a weight is read by two groups (its output and its input channels), a
     * Concat-fed weight by many, and its element values are computed and summed once for all of them.
     */
    private final Map<Value, Map<Integer, double[]>> sums = new IdentityHashMap<>();

    /** Per-element values of a constant (|w|, w², |w·g|); computed once per constant, then summed and dropped. */
    interface ElementValues {
        float[] of(Value source, Tensor data);
    }

    private final ElementValues values;

    SliceScores(ElementValues values) {
        this.values = values;
    }

    /** Unnormalised mean over layers per unit; null when no slice passes the filter. */
    double[] perUnit(ChannelGroup g, Predicate<ParamSlice> use) {
        int units = g.unitCount();
        double[] sum = new double[units];
        int[] layers = new int[units];
        boolean any = false;
        int[] seen = new int[units];
        int stamp = 0;
        for (ParamSlice p : g.slices()) {
            if (!use.test(p)) {
                continue;
            }
            any = true;
            stamp++;
            double[] idx = indexSums(p);
            int[] unitOf = g.unitOfChannel().get(p.space());
            for (int i = 0; i < idx.length; i++) {
                int u = unitOf[p.channelOfIndex()[i]];
                if (u < 0) {
                    continue;
                }
                sum[u] += idx[i];
                if (seen[u] != stamp) {
                    seen[u] = stamp;
                    layers[u]++;
                }
            }
        }
        if (!any) {
            return null;
        }
        for (int u = 0; u < units; u++) {
            sum[u] = layers[u] == 0 ? 0 : sum[u] / layers[u];
        }
        return sum;
    }

    /** Sum of the element values over each index of the slice's axis. */
    double[] indexSums(ParamSlice p) {
        Map<Integer, double[]> byAxis = sums.computeIfAbsent(p.source(), k -> new java.util.HashMap<>());
        double[] s = byAxis.get(p.axis());
        if (s == null) {
            computeIndexSums(p.source(), p.axis(), byAxis);
            s = byAxis.get(p.axis());
        }
        return s;
    }

    /**
     * Computes the element values once and sums them over {@code axis}; for axis 0 or 1 of a tensor of rank 2 or more
     * it sums axes 0 and 1 in the same pass (block sums over the trailing axes), as the other is usually asked next.
     */
    private void computeIndexSums(Value source, int axis, Map<Integer, double[]> byAxis) {
        Tensor t = Constants.valueOf(source);
        float[] v = values.of(source, t);
        long[] dims = t.dims();
        if (dims.length >= 2 && axis <= 1) {
            int d0 = (int) dims[0];
            int d1 = (int) dims[1];
            int inner = 1;
            for (int i = 2; i < dims.length; i++) {
                inner *= (int) dims[i];
            }
            double[] s0 = new double[d0];
            double[] s1 = new double[d1];
            int off = 0;
            for (int i0 = 0; i0 < d0; i0++) {
                double row = 0;
                for (int i1 = 0; i1 < d1; i1++) {
                    double block = 0;
                    for (int j = 0; j < inner; j++) {
                        block += v[off + j];
                    }
                    off += inner;
                    s1[i1] += block;
                    row += block;
                }
                s0[i0] = row;
            }
            byAxis.put(0, s0);
            byAxis.put(1, s1);
            return;
        }
        int n = (int) dims[axis];
        long inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        double[] out = new double[n];
        int in = (int) inner;
        for (int base = 0; base < v.length; base += n * in) {
            for (int k = 0; k < n; k++) {
                double s = 0;
                int off = base + k * in;
                for (int j = 0; j < in; j++) {
                    s += v[off + j];
                }
                out[k] += s;
            }
        }
        byAxis.put(axis, out);
    }

    /** Divides by the mean ("mean" normaliser); a zero mean leaves the scores as they are. */
    static double[] normalizeMean(double[] s) {
        if (s == null) {
            return null;
        }
        double m = 0;
        for (double x : s) {
            m += x;
        }
        m /= Math.max(1, s.length);
        if (m == 0) {
            return s;
        }
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i] / m;
        }
        return out;
    }
}

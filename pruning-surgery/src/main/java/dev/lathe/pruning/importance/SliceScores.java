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
    private final Map<Value, float[]> cache = new IdentityHashMap<>();
    /** Index sums per constant and axis: a Concat-fed weight is a slice of many groups and is summed once. */
    private final Map<Value, Map<Integer, double[]>> sums = new IdentityHashMap<>();

    /** Per-element values of a constant (|w|, w², |w·g|); computed once per constant. */
    interface ElementValues {
        float[] of(Value source, Tensor data);
    }

    private final ElementValues values;

    SliceScores(ElementValues values) {
        this.values = values;
    }

    static float[] floats(Value source) {
        Tensor t = Constants.valueOf(source);
        if (t == null) {
            throw new IllegalStateException("parameter " + source.name() + " is not a constant");
        }
        return t.toFloats();
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
        return sums.computeIfAbsent(p.source(), k -> new java.util.HashMap<>())
                .computeIfAbsent(p.axis(), k -> computeIndexSums(p));
    }

    private double[] computeIndexSums(ParamSlice p) {
        Tensor t = Constants.valueOf(p.source());
        float[] v = cache.computeIfAbsent(p.source(), s -> values.of(s, t));
        long[] dims = t.dims();
        int n = (int) dims[p.axis()];
        long inner = 1;
        for (int i = p.axis() + 1; i < dims.length; i++) {
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
        return out;
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

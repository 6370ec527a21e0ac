package dev.lathe.pruning.importance;

import dev.lathe.graph.infer.Constants;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ParamRole;
import dev.lathe.pruning.graph.ParamSlice;

/**
 * FPGM (filter pruning via geometric median): a filter close to all the others is replaceable. Each weight that
 * writes the group's channels scores filter i by Σ_j ||w_i − w_j||₂; layers are averaged per unit and the result is
 * divided by its mean, as Torch-Pruning's FPGMImportance does.
 */
public final class FpgmImportance implements Importance {
    @Override
    public String name() {
        return "fpgm";
    }

    @Override
    public double[] score(ChannelGroup group) {
        int units = group.unitCount();
        double[] sum = new double[units];
        int[] layers = new int[units];
        boolean any = false;
        for (ParamSlice p : group.slices()) {
            if (p.role() != ParamRole.WEIGHT_OUT) {
                continue;
            }
            any = true;
            double[] d = distanceSums(Constants.valueOf(p.source()), p.axis());
            int[] unitOf = group.unitOfChannel().get(p.space());
            boolean[] counted = new boolean[units];
            for (int i = 0; i < d.length; i++) {
                int u = unitOf[p.channelOfIndex()[i]];
                if (u >= 0) {
                    sum[u] += d[i];
                    if (!counted[u]) {
                        counted[u] = true;
                        layers[u]++;
                    }
                }
            }
        }
        if (!any) {
            return null;
        }
        for (int u = 0; u < units; u++) {
            sum[u] = layers[u] == 0 ? 0 : sum[u] / layers[u];
        }
        return SliceScores.normalizeMean(sum);
    }

    /** For each index along {@code axis}, the summed Euclidean distance of its slice to every other slice. */
    static double[] distanceSums(Tensor t, int axis) {
        float[] v = t.toFloats();
        long[] dims = t.dims();
        int n = (int) dims[axis];
        int inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= (int) dims[i];
        }
        int outer = v.length / (n * inner);
        int len = outer * inner;
        float[][] rows = new float[n][len];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < n; k++) {
                System.arraycopy(v, (o * n + k) * inner, rows[k], o * inner, inner);
            }
        }
        double[] sq = new double[n];
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (float x : rows[k]) {
                s += x * x;
            }
            sq[k] = s;
        }
        double[] out = new double[n];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                double dot = 0;
                float[] ra = rows[a];
                float[] rb = rows[b];
                for (int j = 0; j < len; j++) {
                    dot += ra[j] * rb[j];
                }
                double d = Math.sqrt(Math.max(0, sq[a] + sq[b] - 2 * dot));
                out[a] += d;
                out[b] += d;
            }
        }
        return out;
    }
}

package dev.lathe.pruning.importance;

import dev.lathe.graph.ir.Tensor;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ParamRole;
import java.util.Map;

/**
 * First-order Taylor (Molchanov et al. 2019, Torch-Pruning's GroupTaylorImportance with multivariable=false): per
 * unit Σ|w·∂L/∂w| over the weight rows and columns that belong to it, mean over layers, divided by the group mean.
 * Normalisation scales are left out, as in Torch-Pruning 1.3.6 whose BatchNorm branch never fires.
 */
public final class TaylorImportance implements Importance {
    private final SliceScores scores;

    /** Importance from one set of gradients, keyed by parameter name. */
    public TaylorImportance(Map<String, Tensor> gradients) {
        this.scores = new SliceScores((source, w) -> {
            Tensor g = gradients.get(source.name());
            if (g == null) {
                throw new IllegalArgumentException("no gradient for parameter " + source.name());
            }
            if (g.numel() != w.numel()) {
                throw new IllegalArgumentException("gradient of " + source.name() + " has " + g.numel()
                        + " elements, the parameter " + w.numel());
            }
            float[] v = w.toFloats();
            float[] d = g.toFloats();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.abs(v[i] * d[i]);
            }
            return v;
        });
    }

    @Override
    public String name() {
        return "taylor";
    }

    @Override
    public double[] score(ChannelGroup group) {
        return SliceScores.normalizeMean(scores.perUnit(group,
                s -> s.role() == ParamRole.WEIGHT_OUT || s.role() == ParamRole.WEIGHT_IN));
    }

    /** Taylor over several batches, from statistics collected without classes: the mean of the per-batch scores. */
    public static Importance averaged(CicStatistics statistics) {
        return new CicImportance(statistics, 0.0, true);
    }
}

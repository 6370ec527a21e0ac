package dev.lathe.pruning.importance;

import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ParamRole;

/**
 * Group magnitude (Torch-Pruning's GroupMagnitudeImportance): per unit, Σ|w|^p over every weight row and column and
 * normalisation scale that belongs to it, averaged over layers and divided by the group mean. Biases and running
 * statistics do not count.
 */
public final class MagnitudeImportance implements Importance {
    private final int p;
    private final SliceScores scores;

    public MagnitudeImportance(int p) {
        if (p != 1 && p != 2) {
            throw new IllegalArgumentException("magnitude norm must be 1 or 2, got " + p);
        }
        this.p = p;
        this.scores = new SliceScores((source, t) -> {
            float[] v = t.toFloats();
            for (int i = 0; i < v.length; i++) {
                v[i] = p == 1 ? Math.abs(v[i]) : v[i] * v[i];
            }
            return v;
        });
    }

    @Override
    public String name() {
        return "l" + p;
    }

    @Override
    public double[] score(ChannelGroup group) {
        return SliceScores.normalizeMean(scores.perUnit(group, s -> s.role() != ParamRole.OTHER));
    }
}

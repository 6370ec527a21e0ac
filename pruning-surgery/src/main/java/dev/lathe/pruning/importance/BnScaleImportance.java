package dev.lathe.pruning.importance;

import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.graph.ParamRole;

/** Network slimming: |γ| of the BatchNormalization layers in the group; groups without one are not scored. */
public final class BnScaleImportance implements Importance {
    private final SliceScores scores = new SliceScores((source, t) -> {
        float[] v = t.toFloats();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i]);
        }
        return v;
    });

    @Override
    public String name() {
        return "bn";
    }

    @Override
    public double[] score(ChannelGroup group) {
        return SliceScores.normalizeMean(scores.perUnit(group, s -> s.role() == ParamRole.NORM_SCALE
                && s.consumer().opType().equals("BatchNormalization")));
    }
}

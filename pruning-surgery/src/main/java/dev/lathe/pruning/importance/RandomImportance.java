package dev.lathe.pruning.importance;

import dev.lathe.pruning.graph.ChannelGroup;
import java.util.Random;

/** Uniform random scores, seeded per group so a run repeats. */
public final class RandomImportance implements Importance {
    private final long seed;

    public RandomImportance(long seed) {
        this.seed = seed;
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public double[] score(ChannelGroup group) {
        Random r = new Random(seed * 1_000_003L + group.id());
        double[] s = new double[group.unitCount()];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextDouble();
        }
        return s;
    }
}

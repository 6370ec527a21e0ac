package dev.lathe.runtime.dynamic;

import java.util.Arrays;

/** MACs spent by an image that exits at stage j, for each j (cumulative: everything run up to and including j). */
public final class StageCosts {
    private final double[] macs;

    public StageCosts(double... macs) {
        if (macs.length == 0) {
            throw new IllegalArgumentException("stage costs need at least one stage");
        }
        for (int j = 0; j < macs.length; j++) {
            if (!(macs[j] >= 0)) {
                throw new IllegalArgumentException("stage " + j + " cost must be >= 0, got " + macs[j]);
            }
        }
        this.macs = macs.clone();
    }

    /**
     * AnchorNet's accounting: stage 0 runs the downstream net on the resized image only; stage j >= 1 has also run
     * the AnchorNet proposal net once and the downstream net on patches 1..j, so it costs
     * {@code anchorNet + downstream * (j + 1)} (the resized net and the patch net are the same architecture).
     */
    public static StageCosts anchorNet(double downstreamMacs, double anchorNetMacs, int stages) {
        double[] m = new double[stages];
        for (int j = 0; j < stages; j++) {
            m[j] = j == 0 ? downstreamMacs : anchorNetMacs + downstreamMacs * (j + 1);
        }
        return new StageCosts(m);
    }

    public int stages() {
        return macs.length;
    }

    public double macs(int stage) {
        return macs[stage];
    }

    @Override
    public String toString() {
        return "StageCosts" + Arrays.toString(macs);
    }
}

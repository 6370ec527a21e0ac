package dev.lathe.runtime.dynamic;

import java.util.Arrays;

/**
 * How an AnchorNet cascade runs: one exit threshold per stage (stage 0 the resized image, stage j the j-th patch; the
 * last stage keeps every image left, whatever its threshold), the IoU thresholds of the patch selection per rank,
 * whether the authors' flat-index-0 quirk is on (default on, for reproduction), the patch size and the
 * feature-map stride (95 and 8 for AnchorNet at 224x224).
 */
public record CascadeSettings(double[] exitThresholds, double[] iouThresholds, boolean flatIndexZeroQuirk,
        int patchSize, int stride) {
    public static final int PATCH = 95;
    public static final int STRIDE = 8;

    public CascadeSettings {
        if (exitThresholds.length < 1) {
            throw new IllegalArgumentException("a cascade needs at least one exit threshold (stage 0)");
        }
        for (double t : exitThresholds) {
            if (!(t >= 0 && t <= 1)) {
                throw new IllegalArgumentException("exit thresholds must be in [0, 1], got " + t);
            }
        }
        if (exitThresholds.length > 1 && iouThresholds.length < 1) {
            throw new IllegalArgumentException("patch stages need IoU thresholds (one per rank, e.g. 0.3,0.3,0.3,0.3)");
        }
        if (patchSize < 1 || stride < 1) {
            throw new IllegalArgumentException("patch size and stride must be positive");
        }
        exitThresholds = exitThresholds.clone();
        iouThresholds = iouThresholds.clone();
    }

    /** The authors' setting: quirk on, 95x95 patches, stride 8. */
    public static CascadeSettings of(double[] exitThresholds, double[] iouThresholds) {
        return new CascadeSettings(exitThresholds, iouThresholds, true, PATCH, STRIDE);
    }

    public int stages() {
        return exitThresholds.length;
    }

    /** Patches per image: every stage after the resized one. */
    public int patches() {
        return exitThresholds.length - 1;
    }

    public CascadeSettings withExitThresholds(double... t) {
        return new CascadeSettings(t, iouThresholds, flatIndexZeroQuirk, patchSize, stride);
    }

    @Override
    public String toString() {
        return "CascadeSettings[exit " + Arrays.toString(exitThresholds) + ", iou " + Arrays.toString(iouThresholds)
                + ", quirk " + flatIndexZeroQuirk + "]";
    }
}

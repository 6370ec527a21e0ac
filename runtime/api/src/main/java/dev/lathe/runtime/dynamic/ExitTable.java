package dev.lathe.runtime.dynamic;

import java.util.Arrays;

/**
 * Per image and per cumulative stage: the confidence (max softmax of the logits summed up to that stage) and whether
 * that stage's prediction is right. Row-major {@code [images, stages]}, the layout of AnchorNet's released
 * {@code thresholds} / {@code predictions} tensors.
 */
public final class ExitTable {
    private final int images;
    private final int stages;
    private final float[] confidence;
    private final boolean[] correct;

    public ExitTable(int images, int stages, float[] confidence, boolean[] correct) {
        if (images < 1 || stages < 1) {
            throw new IllegalArgumentException("exit table needs >= 1 image and stage, got [" + images + ", " + stages
                    + "]");
        }
        long n = (long) images * stages;
        if (confidence.length != n || correct.length != n) {
            throw new IllegalArgumentException("exit table [" + images + ", " + stages + "] needs " + n
                    + " entries, got confidence " + confidence.length + " and correct " + correct.length);
        }
        this.images = images;
        this.stages = stages;
        this.confidence = confidence.clone();
        this.correct = correct.clone();
    }

    public int images() {
        return images;
    }

    public int stages() {
        return stages;
    }

    public float confidence(int image, int stage) {
        return confidence[image * stages + stage];
    }

    public boolean correct(int image, int stage) {
        return correct[image * stages + stage];
    }

    /** Top-1 accuracy when every image stops at {@code stage} (the static ensemble of stages 0..stage). */
    public double staticAccuracy(int stage) {
        if (stage < 0 || stage >= stages) {
            throw new IllegalArgumentException("stage " + stage + " outside [0, " + stages + ")");
        }
        long right = 0;
        for (int i = 0; i < images; i++) {
            if (correct(i, stage)) {
                right++;
            }
        }
        return (double) right / images;
    }

    @Override
    public String toString() {
        return "ExitTable[" + images + " x " + stages + "], first row " + Arrays.toString(
                Arrays.copyOf(confidence, stages));
    }
}

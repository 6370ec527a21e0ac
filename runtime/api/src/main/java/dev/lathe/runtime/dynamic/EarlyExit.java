package dev.lathe.runtime.dynamic;

/**
 * The early-exit rule of AnchorNet's {@code dynamic_inference.py}: with thresholds tau_0..tau_{S-1}, an image leaves
 * at the first stage j whose confidence is strictly greater than tau_j, and the last stage S-1 keeps every image still
 * running (the authors pass tau_{S-1} = 0, which every softmax maximum exceeds). S may be smaller than the table's
 * stage count; later columns are then never reached. Accuracy counts the exit stage's prediction.
 * Confidences are float32 and the authors compare a float32 tensor with a Python float, which PyTorch rounds to
 * float32 first; so each tau is rounded to float before the comparison (0.9 must not split ties differently).
 */
public final class EarlyExit {
    private EarlyExit() {}

    public static ExitResult evaluate(ExitTable table, double[] thresholds, StageCosts costs) {
        int s = thresholds.length;
        if (s < 1 || s > table.stages()) {
            throw new IllegalArgumentException(s + " thresholds for a table of " + table.stages()
                    + " stages; need 1.." + table.stages());
        }
        if (costs.stages() < s) {
            throw new IllegalArgumentException(s + " thresholds but costs for only " + costs.stages() + " stages");
        }
        float[] tau = new float[s];
        for (int j = 0; j < s; j++) {
            tau[j] = (float) thresholds[j];
        }
        long[] exits = new long[s];
        long right = 0;
        for (int i = 0; i < table.images(); i++) {
            int j = 0;
            while (j < s - 1 && !(table.confidence(i, j) > tau[j])) {
                j++;
            }
            exits[j]++;
            if (table.correct(i, j)) {
                right++;
            }
        }
        double macs = 0;
        for (int j = 0; j < s; j++) {
            macs += exits[j] * costs.macs(j);
        }
        return new ExitResult(thresholds.clone(), (double) right / table.images(), macs / table.images(), exits);
    }
}

package dev.lathe.runtime.dynamic;

import java.util.Arrays;

/**
 * One threshold setting evaluated on a table: accuracy over all images, average MACs per image and how many images
 * left at each stage.
 */
public record ExitResult(double[] thresholds, double accuracy, double averageMacs, long[] exits) {
    @Override
    public String toString() {
        return String.format("thresholds %s: accuracy %.5f, %.4f GMACs, exits %s", Arrays.toString(thresholds),
                accuracy, averageMacs / 1e9, Arrays.toString(exits));
    }
}

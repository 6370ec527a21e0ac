package dev.lathe.runtime.data;

import java.nio.FloatBuffer;

/** An indexed, labelled image set. Images are float32 CHW, already normalised; filling is thread-safe. */
public interface Dataset {
    int size();

    int numClasses();

    /** Image shape [C, H, W]. */
    long[] imageShape();

    int label(int index);

    /** Writes image {@code index} at the buffer's current position and advances it by C*H*W floats. */
    void fill(int index, FloatBuffer dst);

    /** Training images per class (for many/medium/few-shot splits). */
    default int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int i = 0; i < size(); i++) {
            counts[label(i)]++;
        }
        return counts;
    }
}

package dev.lathe.runtime.data;

/** Labelled, decoded-on-demand images of varying size; {@link AugmentedDataset} turns one into a {@link Dataset}. */
public interface ImageSet {
    int size();

    int numClasses();

    int label(int index);

    /** Decodes image {@code index}; thread-safe. A file that does not decode throws {@link CorruptImageException}. */
    Image image(int index);

    /** Where image {@code index} comes from (a file path, or file and record), for error reports. */
    String describe(int index);

    default int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int i = 0; i < size(); i++) {
            counts[label(i)]++;
        }
        return counts;
    }
}

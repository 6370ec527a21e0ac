package dev.lathe.runtime.data;

/** The images of another set at the given indices, in that order. */
public final class Subset implements ImageSet {
    private final ImageSet base;
    private final int[] indices;

    public Subset(ImageSet base, int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= base.size()) {
                throw new IllegalArgumentException("subset index " + i + " outside 0.." + (base.size() - 1));
            }
        }
        this.base = base;
        this.indices = indices.clone();
    }

    public int baseIndex(int index) {
        return indices[index];
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int numClasses() {
        return base.numClasses();
    }

    @Override
    public int label(int index) {
        return base.label(indices[index]);
    }

    @Override
    public Image image(int index) {
        return base.image(indices[index]);
    }

    @Override
    public String describe(int index) {
        return base.describe(indices[index]);
    }
}

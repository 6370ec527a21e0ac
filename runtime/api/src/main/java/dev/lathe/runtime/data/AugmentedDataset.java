package dev.lathe.runtime.data;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * An {@link ImageSet} seen through a transform and a normalisation, as a fixed-shape float32 {@link Dataset}.
 *
 * <p>Random transforms draw from a generator seeded by (seed, epoch, index) only, so an image's augmentation does
 * not depend on which thread decodes it or in which order: loaders with any number of workers give identical bytes.
 *
 * <p>An image that fails to decode is reported once by path (logged, and listed by {@link #corruptPaths()}) and
 * skipped: its slot is filled with the next decodable image of the same class (cyclically, in index order), so
 * {@link #label} stays true for every caller of the Dataset contract and an epoch never stops on a bad file. Only a
 * class with no decodable image at all is an error.
 */
public final class AugmentedDataset implements Dataset {
    private static final System.Logger LOG = System.getLogger(AugmentedDataset.class.getName());

    private final ImageSet images;
    private final Transform transform;
    private final Normalize normalize;
    private final RandomErasing erasing;
    private final int height;
    private final int width;
    private final long seed;
    private final int[][] byClass;
    private final int[] rankInClass;
    private final Set<String> corrupt = new ConcurrentSkipListSet<>();
    private volatile int epoch;

    public AugmentedDataset(ImageSet images, Transform transform, Normalize normalize, int height, int width, long seed) {
        this(images, transform, normalize, null, height, width, seed);
    }

    /**
     * @param erasing applied to the normalised image with the same per-image generator after the transform, as
     *     timm's RandomErasing follows Normalize; null for none
     */
    public AugmentedDataset(ImageSet images, Transform transform, Normalize normalize, RandomErasing erasing,
            int height, int width, long seed) {
        this.erasing = erasing;
        this.images = images;
        this.transform = transform;
        this.normalize = normalize;
        this.height = height;
        this.width = width;
        this.seed = seed;
        List<List<Integer>> lists = new ArrayList<>();
        for (int c = 0; c < images.numClasses(); c++) {
            lists.add(new ArrayList<>());
        }
        rankInClass = new int[images.size()];
        for (int i = 0; i < images.size(); i++) {
            List<Integer> l = lists.get(images.label(i));
            rankInClass[i] = l.size();
            l.add(i);
        }
        byClass = new int[lists.size()][];
        for (int c = 0; c < byClass.length; c++) {
            byClass[c] = lists.get(c).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** The epoch whose augmentations {@link #fill(int, FloatBuffer)} draws; loaders set it per epoch. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    public ImageSet images() {
        return images;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public int numClasses() {
        return images.numClasses();
    }

    @Override
    public long[] imageShape() {
        return new long[] {3, height, width};
    }

    @Override
    public int label(int index) {
        return images.label(index);
    }

    @Override
    public int[] classCounts() {
        int[] counts = new int[byClass.length];
        for (int c = 0; c < counts.length; c++) {
            counts[c] = byClass[c].length;
        }
        return counts;
    }

    @Override
    public void fill(int index, FloatBuffer dst) {
        fill(index, dst, epoch);
    }

    /** Writes image {@code index} as augmented in {@code epoch}. */
    public void fill(int index, FloatBuffer dst, int epoch) {
        Random rng = new Random(mix(seed, epoch, index));
        Image im = transform.apply(decode(index), rng);
        if (im.width() != width || im.height() != height) {
            throw new IllegalStateException(images.describe(index) + ": the transform produced " + im.width() + "x"
                    + im.height() + ", the dataset promises " + width + "x" + height + " (end the pipeline with a crop "
                    + "or resize to that size)");
        }
        int start = dst.position();
        normalize.write(im, dst);
        if (erasing != null) {
            erasing.apply(dst, start, 3, height, width, Draws.of(rng));
        }
    }

    private Image decode(int index) {
        int[] same = byClass[images.label(index)];
        int start = rankInClass[index];
        for (int k = 0; k < same.length; k++) {
            int candidate = same[(start + k) % same.length];
            try {
                return images.image(candidate);
            } catch (CorruptImageException e) {
                if (corrupt.add(e.path())) {
                    LOG.log(System.Logger.Level.WARNING, "skipping corrupt image " + e.getMessage());
                }
            }
        }
        throw new IllegalStateException("no image of class " + images.label(index) + " decodes (" + same.length
                + " tried, first " + images.describe(index) + ")");
    }

    /** Paths of images that failed to decode so far, sorted. */
    public List<String> corruptPaths() {
        return List.copyOf(corrupt);
    }

    public int corruptCount() {
        return corrupt.size();
    }

    static long mix(long seed, int epoch, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package dev.lathe.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.PickleException;

/**
 * CIFAR-10 and CIFAR-100 in either official release. Python release: pickled dicts with {@code data} uint8
 * [N, 3072] and the labels ({@code labels} for CIFAR-10, {@code fine_labels} and {@code coarse_labels} for
 * CIFAR-100), CIFAR-10's train split in five batches {@code data_batch_1..5}, its test split {@code test_batch},
 * CIFAR-100's {@code train} and {@code test}. Binary release: records of label byte(s) and 3072 pixel bytes
 * (CIFAR-10: {@code <label>}; CIFAR-100: {@code <coarse><fine>}) in {@code data_batch_1..5.bin}/{@code test_batch.bin}
 * or {@code train.bin}/{@code test.bin}. Pixels are planar: 1024 R, 1024 G, 1024 B.
 */
public final class Cifar implements ImageSet {
    public static final int SIDE = 32;
    public static final int IMAGE_BYTES = 3 * SIDE * SIDE;

    /** What differs between the two datasets' releases. */
    public enum Release {
        CIFAR10(10, "labels", 1, "cifar-10-batches-py", "cifar-10-batches-bin",
                List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"),
                List.of("test_batch")),
        CIFAR100(100, "fine_labels", 2, "cifar-100-python", "cifar-100-binary", List.of("train"), List.of("test"));

        final int classes;
        final String labelKey;
        final int labelBytes;
        final String pythonDir;
        final String binaryDir;
        final List<String> trainFiles;
        final List<String> testFiles;

        Release(int classes, String labelKey, int labelBytes, String pythonDir, String binaryDir,
                List<String> trainFiles, List<String> testFiles) {
            this.classes = classes;
            this.labelKey = labelKey;
            this.labelBytes = labelBytes;
            this.pythonDir = pythonDir;
            this.binaryDir = binaryDir;
            this.trainFiles = trainFiles;
            this.testFiles = testFiles;
        }

        public int classes() {
            return classes;
        }

        private String label() {
            return this == CIFAR10 ? "CIFAR-10" : "CIFAR-100";
        }
    }

    private final Release release;
    private final byte[] pixels;
    private final int[] fine;
    private final int[] coarse;
    private final List<Path> sources;
    private final int[] counts;

    /** Images of {@code sources} in order, {@code counts[i]} from source i. */
    private Cifar(Release release, byte[] pixels, int[] fine, int[] coarse, List<Path> sources, int[] counts) {
        this.release = release;
        this.pixels = pixels;
        this.fine = fine;
        this.coarse = coarse;
        this.sources = sources;
        this.counts = counts;
    }

    /**
     * Reads the train or test split from {@code dir}: a directory holding either release's files directly or inside
     * the archives' top directories ({@code cifar-10-batches-py/}, {@code cifar-100-binary/}, ...). Python release
     * first.
     */
    public static Cifar read(Release release, Path dir, boolean train) throws IOException {
        List<String> py = train ? release.trainFiles : release.testFiles;
        for (Path d : List.of(dir, dir.resolve(release.pythonDir), dir.resolve(release.binaryDir))) {
            if (Files.isRegularFile(d.resolve(py.get(0)))) {
                List<Cifar> parts = new ArrayList<>();
                for (String f : py) {
                    parts.add(readPython(release, d.resolve(f)));
                }
                return concat(release, parts);
            }
            if (Files.isRegularFile(d.resolve(py.get(0) + ".bin"))) {
                List<Cifar> parts = new ArrayList<>();
                for (String f : py) {
                    parts.add(readBinary(release, d.resolve(f + ".bin")));
                }
                return concat(release, parts);
            }
        }
        throw new IOException(dir + ": no " + release.label() + " '" + py.get(0) + "' (python release) or '"
                + py.get(0) + ".bin' (binary release), directly or under " + release.pythonDir + "/ or "
                + release.binaryDir + "/");
    }

    private static Cifar concat(Release release, List<Cifar> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int n = parts.stream().mapToInt(Cifar::size).sum();
        byte[] pixels = new byte[n * IMAGE_BYTES];
        int[] fine = new int[n];
        int[] coarse = new int[n];
        List<Path> sources = new ArrayList<>();
        int[] counts = new int[parts.size()];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            Cifar c = parts.get(i);
            System.arraycopy(c.pixels, 0, pixels, at * IMAGE_BYTES, c.pixels.length);
            System.arraycopy(c.fine, 0, fine, at, c.size());
            System.arraycopy(c.coarse, 0, coarse, at, c.size());
            at += c.size();
            sources.add(c.sources.get(0));
            counts[i] = c.size();
        }
        return new Cifar(release, pixels, fine, coarse, List.copyOf(sources), counts);
    }

    /** One python-release file: a pickle of {data: ndarray uint8 [N,3072], labels or fine_labels: [N], ...}. */
    public static Cifar readPython(Release release, Path file) throws IOException {
        Object root;
        try (InputStream in = Files.newInputStream(file)) {
            root = NumpyPickle.unpickler().load(in);
        } catch (PickleException e) {
            throw new IOException(file + ": not a CIFAR python pickle: " + e.getMessage(), e);
        }
        if (!(root instanceof Map)) {
            throw new IOException(file + ": expected a pickled dict, got " + describeType(root));
        }
        Map<?, ?> dict = (Map<?, ?>) root;
        Object data = dict.get("data");
        if (!(data instanceof NumpyPickle.NdArray)) {
            throw new IOException(file + ": key 'data' should be a numpy array, got " + describeType(data));
        }
        NumpyPickle.NdArray a = (NumpyPickle.NdArray) data;
        if (!a.dtype.descr.equals("u1") || a.shape.length != 2 || a.shape[1] != IMAGE_BYTES) {
            throw new IOException(file + ": 'data' should be uint8 [N, " + IMAGE_BYTES + "], got " + a.dtype.descr + " "
                    + java.util.Arrays.toString(a.shape));
        }
        int n = Math.toIntExact(a.shape[0]);
        if (a.data.length != (long) n * IMAGE_BYTES) {
            throw new IOException(file + ": 'data' holds " + a.data.length + " bytes, shape says " + a.numel());
        }
        int[] fine = labels(dict, release.labelKey, n, release.classes, file);
        int[] coarse = dict.containsKey("coarse_labels") ? labels(dict, "coarse_labels", n, Integer.MAX_VALUE, file)
                : new int[n];
        return new Cifar(release, a.data, fine, coarse, List.of(file), new int[] {n});
    }

    private static int[] labels(Map<?, ?> dict, String key, int n, int classes, Path file) throws IOException {
        Object v = dict.get(key);
        if (!(v instanceof List)) {
            throw new IOException(file + ": key '" + key + "' should be a list of " + n + " labels, got " + describeType(v));
        }
        List<?> l = (List<?>) v;
        if (l.size() != n) {
            throw new IOException(file + ": '" + key + "' has " + l.size() + " labels for " + n + " images");
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = NumpyPickle.toInt(l.get(i), key);
            if (out[i] < 0 || out[i] >= classes) {
                throw new IOException(file + ": label '" + key + "' " + out[i] + " of image " + i + " is outside 0.."
                        + (classes - 1));
            }
        }
        return out;
    }

    private static String describeType(Object o) {
        return o == null ? "nothing" : o.getClass().getSimpleName();
    }

    /** One binary-release file: {@code <label byte(s)><3072 bytes>} records. */
    public static Cifar readBinary(Release release, Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int record = release.labelBytes + IMAGE_BYTES;
        if (all.length == 0 || all.length % record != 0) {
            throw new IOException(file + ": " + all.length + " bytes is not a whole number of " + record + "-byte "
                    + release.label() + " records");
        }
        int n = all.length / record;
        byte[] pixels = new byte[n * IMAGE_BYTES];
        int[] fine = new int[n];
        int[] coarse = new int[n];
        for (int i = 0; i < n; i++) {
            int r = i * record;
            fine[i] = all[r + release.labelBytes - 1] & 0xff;
            coarse[i] = release.labelBytes == 2 ? all[r] & 0xff : 0;
            if (fine[i] >= release.classes) {
                throw new IOException(file + ": record " + i + " has label " + fine[i] + ", outside 0.."
                        + (release.classes - 1));
            }
            System.arraycopy(all, r + release.labelBytes, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
        }
        return new Cifar(release, pixels, fine, coarse, List.of(file), new int[] {n});
    }

    @Override
    public int size() {
        return fine.length;
    }

    @Override
    public int numClasses() {
        return release.classes;
    }

    @Override
    public int label(int index) {
        return fine[index];
    }

    /** CIFAR-100's superclass label (0 for CIFAR-10). */
    public int coarseLabel(int index) {
        return coarse[index];
    }

    /** All fine labels, in file order (not copied). */
    int[] fineLabels() {
        return fine;
    }

    @Override
    public Image image(int index) {
        return Image.fromPlanar(pixels, index * IMAGE_BYTES, SIDE, SIDE);
    }

    @Override
    public String describe(int index) {
        int at = index;
        for (int i = 0; i < sources.size(); i++) {
            if (at < counts[i] || i == sources.size() - 1) {
                return sources.get(i) + " image " + at;
            }
            at -= counts[i];
        }
        throw new IndexOutOfBoundsException(index);
    }

    /**
     * CIFAR-10/100-LT as the LDAM-DRW/CIC {@code IMBALANCECIFAR100} builds it (SEEDS.md §5.2): the subset of this
     * split chosen by {@link LongTail#cifarSelection}, kept in class order.
     */
    public ImageSet longTailed(double imbalanceFactor) {
        return new Subset(this, LongTail.cifarSelection(fine, release.classes, imbalanceFactor));
    }
}

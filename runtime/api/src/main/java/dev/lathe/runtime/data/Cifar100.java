package dev.lathe.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.PickleException;

/**
 * CIFAR-100 in either official release: the python release ({@code cifar-100-python/train|test}, a pickled dict with
 * {@code data} uint8 [N, 3072] and {@code fine_labels}) or the binary release ({@code cifar-100-binary/train.bin|
 * test.bin}, records of coarse label, fine label, 3072 pixel bytes). Pixels are planar: 1024 R, 1024 G, 1024 B.
 */
public final class Cifar100 implements ImageSet {
    public static final int CLASSES = 100;
    public static final int SIDE = 32;
    public static final int IMAGE_BYTES = 3 * SIDE * SIDE;
    private static final int RECORD_BYTES = 2 + IMAGE_BYTES;

    private final byte[] pixels;
    private final int[] fine;
    private final int[] coarse;
    private final Path source;

    Cifar100(byte[] pixels, int[] fine, int[] coarse, Path source) {
        this.pixels = pixels;
        this.fine = fine;
        this.coarse = coarse;
        this.source = source;
    }

    /**
     * Reads the train or test split from {@code dir}: a directory holding either release's files directly or inside
     * {@code cifar-100-python/} or {@code cifar-100-binary/} (the archives' top directories). Python release first.
     */
    public static Cifar100 read(Path dir, boolean train) throws IOException {
        String py = train ? "train" : "test";
        String bin = py + ".bin";
        for (Path d : List.of(dir, dir.resolve("cifar-100-python"), dir.resolve("cifar-100-binary"))) {
            if (Files.isRegularFile(d.resolve(py))) {
                return readPython(d.resolve(py));
            }
            if (Files.isRegularFile(d.resolve(bin))) {
                return readBinary(d.resolve(bin));
            }
        }
        throw new IOException(dir + ": no CIFAR-100 '" + py + "' (python release) or '" + bin
                + "' (binary release), directly or under cifar-100-python/ or cifar-100-binary/");
    }

    /** The python release: a pickle of {data: ndarray uint8 [N,3072], fine_labels: [N], coarse_labels: [N], ...}. */
    public static Cifar100 readPython(Path file) throws IOException {
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
        int[] fine = labels(dict, "fine_labels", n, file);
        int[] coarse = dict.containsKey("coarse_labels") ? labels(dict, "coarse_labels", n, file) : new int[n];
        return new Cifar100(a.data, fine, coarse, file);
    }

    private static int[] labels(Map<?, ?> dict, String key, int n, Path file) throws IOException {
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
            if (key.equals("fine_labels") && (out[i] < 0 || out[i] >= CLASSES)) {
                throw new IOException(file + ": fine label " + out[i] + " of image " + i + " is outside 0.." + (CLASSES - 1));
            }
        }
        return out;
    }

    private static String describeType(Object o) {
        return o == null ? "nothing" : o.getClass().getSimpleName();
    }

    /** The binary release: {@code <1 byte coarse><1 byte fine><3072 bytes>} records. */
    public static Cifar100 readBinary(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length == 0 || all.length % RECORD_BYTES != 0) {
            throw new IOException(file + ": " + all.length + " bytes is not a whole number of " + RECORD_BYTES
                    + "-byte CIFAR-100 records");
        }
        int n = all.length / RECORD_BYTES;
        byte[] pixels = new byte[n * IMAGE_BYTES];
        int[] fine = new int[n];
        int[] coarse = new int[n];
        for (int i = 0; i < n; i++) {
            int r = i * RECORD_BYTES;
            coarse[i] = all[r] & 0xff;
            fine[i] = all[r + 1] & 0xff;
            if (fine[i] >= CLASSES) {
                throw new IOException(file + ": record " + i + " has fine label " + fine[i] + ", outside 0.." + (CLASSES - 1));
            }
            System.arraycopy(all, r + 2, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
        }
        return new Cifar100(pixels, fine, coarse, file);
    }

    @Override
    public int size() {
        return fine.length;
    }

    @Override
    public int numClasses() {
        return CLASSES;
    }

    @Override
    public int label(int index) {
        return fine[index];
    }

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
        return source + " image " + index;
    }

    /**
     * CIFAR-100-LT as the LDAM-DRW/CIC {@code IMBALANCECIFAR100} builds it (SEEDS.md §5.2): the subset of this split
     * chosen by {@link LongTail#cifarSelection}, kept in class order.
     */
    public ImageSet longTailed(double imbalanceFactor) {
        return new Subset(this, LongTail.cifarSelection(fine, CLASSES, imbalanceFactor));
    }
}

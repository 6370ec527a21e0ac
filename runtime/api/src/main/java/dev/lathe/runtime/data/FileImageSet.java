package dev.lathe.runtime.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Images stored one per file: ImageNet-style class folders ({@code root/<wnid>/...}, classes indexed in sorted
 * name order like torchvision's ImageFolder, files found recursively in sorted order with its extension list) or an
 * ImageNet-LT list file ({@code relative/path label} per line, resolved against a root). Decoded on demand.
 */
public final class FileImageSet implements ImageSet {
    /** torchvision's IMG_EXTENSIONS. */
    static final Set<String> EXTENSIONS = Set.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");

    private final List<Path> files;
    private final int[] labels;
    private final List<String> classNames;
    private final int classes;

    private FileImageSet(List<Path> files, int[] labels, List<String> classNames, int classes) {
        this.files = files;
        this.labels = labels;
        this.classNames = classNames;
        this.classes = classes;
    }

    /** Class folders under {@code root}; classes are the sorted subdirectory names. */
    public static FileImageSet folders(Path root) throws IOException {
        return folders(root, null);
    }

    /**
     * Class folders under {@code root} indexed by {@code classNames} (e.g. the training set's, so a validation
     * folder maps the same wnid to the same index); null means this root's own sorted subdirectories.
     */
    public static FileImageSet folders(Path root, List<String> classNames) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a directory of class folders");
        }
        List<String> own;
        try (Stream<Path> s = Files.list(root)) {
            own = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        if (own.isEmpty()) {
            throw new IOException(root + ": no class folders (expected root/<class>/<image files>)");
        }
        List<String> names = classNames == null ? own : List.copyOf(classNames);
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String cls : own) {
            int label = names.indexOf(cls);
            if (label < 0) {
                throw new IOException(root.resolve(cls) + ": class folder not among the " + names.size()
                        + " training classes");
            }
            List<Path> found;
            try (Stream<Path> s = Files.walk(root.resolve(cls))) {
                found = s.filter(Files::isRegularFile).filter(FileImageSet::isImage)
                        .sorted(Comparator.comparing((Path p) -> p.getParent().toString())
                                .thenComparing(p -> p.getFileName().toString()))
                        .collect(Collectors.toList());
            }
            if (found.isEmpty()) {
                throw new IOException(root.resolve(cls) + ": class folder has no image files (" + EXTENSIONS + ")");
            }
            for (Path f : found) {
                files.add(f);
                labels.add(label);
            }
        }
        return new FileImageSet(files, labels.stream().mapToInt(Integer::intValue).toArray(), names, names.size());
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(n.substring(dot));
    }

    /**
     * An ImageNet-LT style list: lines {@code path label}, paths relative to {@code root}. The class count is
     * {@code classes}, or the largest label + 1 when {@code classes} is 0.
     */
    public static FileImageSet list(Path listFile, Path root, int classes) throws IOException {
        List<String> lines = Files.readAllLines(listFile);
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int max = -1;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            int label;
            try {
                label = space < 0 ? -1 : Integer.parseInt(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                label = -1;
            }
            if (label < 0 || (classes > 0 && label >= classes)) {
                throw new IOException(listFile + ":" + (n + 1) + ": expected 'relative/path label' with a label in 0.."
                        + (classes > 0 ? classes - 1 : "N") + ", got '" + line + "'");
            }
            files.add(root.resolve(line.substring(0, space).trim()));
            labels.add(label);
            max = Math.max(max, label);
        }
        if (files.isEmpty()) {
            throw new IOException(listFile + ": no 'path label' lines");
        }
        int k = classes > 0 ? classes : max + 1;
        return new FileImageSet(files, labels.stream().mapToInt(Integer::intValue).toArray(), null, k);
    }

    /** Folder names by class index, or null for a list file. */
    public List<String> classNames() {
        return classNames;
    }

    public Path file(int index) {
        return files.get(index);
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public Image image(int index) {
        return ImageDecoder.read(files.get(index));
    }

    @Override
    public String describe(int index) {
        return files.get(index).toString();
    }
}

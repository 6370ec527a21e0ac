package dev.lathe.serve;

import dev.lathe.converter.deploy.Bundle;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.runtime.data.Image;
import dev.lathe.runtime.data.Preprocessing;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A deployable model as {@code lathe infer}, {@code lathe serve} and {@code lathe bench infer} see it: the ONNX
 * file (or an AnchorNet cascade bundle), its name, the preprocessing and labels it carries (from a verified bundle, or
 * from the model's own metadata), and the open, image -> tensor and logits -> top-k steps shared by those commands.
 */
public final class ImageModel {
    private final Path file;
    private final String name;
    private final Preprocessing preprocessing;
    private final List<String> labels;
    private final Map<String, String> metadata;
    private final CascadeBundle cascade;

    private ImageModel(Path file, String name, Preprocessing preprocessing, List<String> labels,
            Map<String, String> metadata, CascadeBundle cascade) {
        this.file = file;
        this.name = name;
        this.preprocessing = preprocessing;
        this.labels = labels;
        this.metadata = metadata;
        this.cascade = cascade;
    }

    /**
     * Loads a bundle (folder with bundle.json, or .zip; verified) or an .onnx file. Bad bundles and metadata are
     * {@link PackageException}s naming the file.
     */
    public static ImageModel load(Path path) throws IOException {
        return load(path, null);
    }

    /**
     * As {@link #load(Path)}; a folder without a bundle manifest is read as a Triton model repository, whose model
     * {@code name} (or its only model) is served from its highest numeric version folder's model.onnx, with the
     * repository's labels.txt.
     */
    public static ImageModel load(Path path, String name) throws IOException {
        if (Files.isDirectory(path) && !Files.isRegularFile(path.resolve(Bundle.MANIFEST))) {
            return tritonModel(path, name);
        }
        if (Files.isDirectory(path) || Bundle.isBundle(path)) {
            Bundle b = Bundle.open(path);
            CascadeBundle cascade = CascadeBundle.of(b);
            Model m = Onnx.load(b.modelFile());
            return new ImageModel(cascade != null ? path : b.modelFile(), b.name(),
                    preprocessing(b.preprocessingJson(), path), b.labels(), Map.copyOf(m.metadataProps()), cascade);
        }
        if (!Files.isRegularFile(path)) {
            throw new PackageException("model file not found: " + path);
        }
        Model m = Onnx.load(path);
        String stem = path.getFileName().toString().replaceFirst("\\.onnx$", "");
        return new ImageModel(path, ModelMetadata.get(m, ModelMetadata.NAME).orElse(stem),
                preprocessing(m.metadataProps().get(ModelMetadata.PREPROCESSING), path),
                ModelMetadata.labels(m, path), Map.copyOf(m.metadataProps()), null);
    }

    private static ImageModel tritonModel(Path repo, String name) throws IOException {
        List<Path> models;
        try (java.util.stream.Stream<Path> s = Files.list(repo)) {
            models = s.filter(p -> Files.isRegularFile(p.resolve("config.pbtxt"))).sorted().toList();
        }
        if (models.isEmpty()) {
            throw new PackageException(repo + " is neither a bundle (no " + Bundle.MANIFEST + ") nor a Triton model"
                    + " repository (no NAME/config.pbtxt)");
        }
        Path dir;
        if (name != null) {
            dir = repo.resolve(name);
            if (!Files.isRegularFile(dir.resolve("config.pbtxt"))) {
                throw new PackageException(repo + " has no model '" + name + "' (it has " + models.stream()
                        .map(p -> p.getFileName().toString()).toList() + ")");
            }
        } else if (models.size() == 1) {
            dir = models.get(0);
        } else {
            throw new PackageException(repo + " holds " + models.size() + " models; choose one with --name ("
                    + models.stream().map(p -> p.getFileName().toString()).toList() + ")");
        }
        Path file = null;
        long best = -1;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path v : s.toList()) {
                String n = v.getFileName().toString();
                if (n.matches("[1-9][0-9]*") && Files.isRegularFile(v.resolve("model.onnx"))
                        && Long.parseLong(n) > best) {
                    best = Long.parseLong(n);
                    file = v.resolve("model.onnx");
                }
            }
        }
        if (file == null) {
            throw new PackageException(dir + " has no version folder with a model.onnx (a plan needs Triton itself)");
        }
        Model m = Onnx.load(file);
        List<String> labels = Files.isRegularFile(dir.resolve("labels.txt"))
                ? ModelMetadata.readLabelsFile(dir.resolve("labels.txt")) : ModelMetadata.labels(m);
        return new ImageModel(file, dir.getFileName().toString(),
                preprocessing(m.metadataProps().get(ModelMetadata.PREPROCESSING), file), labels,
                Map.copyOf(m.metadataProps()), null);
    }

    private static Preprocessing preprocessing(String json, Path where) {
        if (json == null) {
            return null;
        }
        try {
            return Preprocessing.parse(json);
        } catch (IllegalArgumentException e) {
            throw new PackageException(where + ": metadata " + ModelMetadata.PREPROCESSING + ": " + e.getMessage());
        }
    }

    /** The model file, or for a cascade the bundle it came from. */
    public Path file() {
        return file;
    }

    /** The AnchorNet cascade this bundle holds, or null for a single model. */
    public CascadeBundle cascade() {
        return cascade;
    }

    /**
     * Opens the model on {@code runtime}: a session of the model file, or for a cascade bundle the
     * {@link dev.lathe.runtime.dynamic.AnchorCascade} over its three models (one session serving every stage).
     */
    public Session open(InferenceRuntime runtime, SessionConfig config) throws IOException {
        if (cascade == null) {
            return runtime.open(ModelSource.file(file), config);
        }
        try {
            return cascade.open(runtime, config);
        } catch (IllegalArgumentException e) {
            throw new PackageException(file + ": the cascade cannot run: " + e.getMessage());
        }
    }

    /** The output holding the class scores: the cascade's cumulative {@code logits}, else the first output. */
    public String logitsOutput(Session session) {
        return cascade != null ? "logits" : session.outputs().get(0).name();
    }

    public String name() {
        return name;
    }

    /** The preprocessing, or null when the model carries none (then raw images cannot be fed). */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public List<String> labels() {
        return labels;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The preprocessing, or an exception saying how to add it. */
    public Preprocessing requirePreprocessing() {
        if (preprocessing == null) {
            throw new PackageException(file + " carries no preprocessing (metadata " + ModelMetadata.PREPROCESSING
                    + "); add it with 'lathe meta set " + file + " preprocessing=imagenet:224' (or the JSON form)");
        }
        return preprocessing;
    }

    /**
     * Checks that the session's single image input takes what the preprocessing makes ([N, 3, H, W] float32) and
     * returns the largest batch it accepts (Integer.MAX_VALUE for a symbolic batch, else its fixed size).
     */
    public int checkImageInput(TensorSpec in) {
        long[] one = preprocessing.imageShape();
        if (in.dtype() != DataType.FLOAT || in.shape() == null || in.shape().rank() != 4) {
            throw new PackageException(file + ": input '" + in.name() + "' is " + in.describe() + "; images need a"
                    + " float32 [N, " + Arrays.toString(one).replaceAll("[\\[\\]]", "") + "] input");
        }
        for (int i = 0; i < 3; i++) {
            Dim d = in.shape().get(i + 1);
            if (d instanceof Dim.Fixed f && f.size() != one[i]) {
                throw new PackageException(file + ": input '" + in.name() + "' is " + in.describe() + " but the"
                        + " preprocessing makes " + Arrays.toString(one) + " per image (" + preprocessing + ")");
            }
        }
        Dim b = in.shape().get(0);
        return b instanceof Dim.Fixed f ? (int) f.size() : Integer.MAX_VALUE;
    }

    /** Preprocessed images as one float32 batch tensor. */
    public HostTensor batch(List<Image> images) {
        long[] one = preprocessing.imageShape();
        long[] shape = {images.size(), one[0], one[1], one[2]};
        HostTensor t = HostTensor.allocate(DataType.FLOAT, shape);
        FloatBuffer fb = t.data().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (Image im : images) {
            preprocessing.write(im, fb);
        }
        return t;
    }

    /** One prediction: class index, its label (null without labels) and probability. */
    public record Prediction(int index, String label, double probability) {}

    /** Softmax over {@code logits} (in double, max subtracted) and the k most probable classes, ties by index. */
    public List<Prediction> topK(float[] logits, int offset, int classes, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[offset + c]);
        }
        double[] p = new double[classes];
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            p[c] = Math.exp(logits[offset + c] - max);
            sum += p[c];
        }
        Integer[] order = new Integer[classes];
        for (int c = 0; c < classes; c++) {
            order[c] = c;
            p[c] /= sum;
        }
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, classes); i++) {
            int c = order[i];
            out.add(new Prediction(c, c < labels.size() ? labels.get(c) : null, p[c]));
        }
        return out;
    }
}

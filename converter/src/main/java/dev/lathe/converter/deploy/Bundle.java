package dev.lathe.converter.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A deployment bundle: one folder (optionally zipped) holding the model(s), their preprocessing and labels, and a
 * manifest {@code bundle.json} listing every other file with its size and SHA-256. {@link #open} verifies it and
 * refuses a bundle with a missing, truncated, altered or unlisted file, naming the file. Several models (e.g. a
 * cascade's stages) go in one bundle, each under its own name, with free-form {@code extra} JSON beside them
 * (thresholds, costs).
 *
 * <pre>
 * {"format": "lathe-bundle", "format_version": 1, "name": "resnet18", "lathe_version": "...",
 *  "models": [{"name": "resnet18", "file": "resnet18.onnx"}],
 *  "preprocessing": {...} | null, "labels_file": "labels.txt" | null, "extra": {...},
 *  "files": [{"path": "resnet18.onnx", "size": 123, "sha256": "..."}, ...]}
 * </pre>
 */
public final class Bundle {
    public static final String MANIFEST = "bundle.json";
    public static final String FORMAT = "lathe-bundle";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One model of a bundle. */
    public record Entry(String name, Path file) {}

    private final Path dir;
    private final String name;
    private final List<Entry> models;
    private final String preprocessingJson;
    private final List<String> labels;
    private final JsonNode extra;

    private Bundle(Path dir, String name, List<Entry> models, String preprocessingJson, List<String> labels,
            JsonNode extra) {
        this.dir = dir;
        this.name = name;
        this.models = models;
        this.preprocessingJson = preprocessingJson;
        this.labels = labels;
        this.extra = extra;
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return name;
    }

    public List<Entry> models() {
        return models;
    }

    /** The first model's file. */
    public Path modelFile() {
        return models.get(0).file();
    }

    /** The preprocessing JSON (runtime-api's {@code Preprocessing.parse} reads it), or null. */
    public String preprocessingJson() {
        return preprocessingJson;
    }

    public List<String> labels() {
        return labels;
    }

    public JsonNode extra() {
        return extra;
    }

    /** Whether {@code path} looks like a bundle: a folder with a manifest, or a .zip. */
    public static boolean isBundle(Path path) {
        return Files.isRegularFile(path.resolve(MANIFEST)) || (Files.isRegularFile(path)
                && path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip"));
    }

    /**
     * Writes a bundle folder {@code out} (and {@code out.zip} when {@code zip}) from model files. The bundle's name,
     * preprocessing and labels come from the first model's metadata ({@code lathe.name}, else its file name); the
     * other models are named by their metadata or file names; each model keeps its metadata.
     */
    public static Path write(List<Path> modelFiles, Path out, String name, JsonNode extra, boolean zip,
            String latheVersion) throws IOException {
        if (modelFiles.isEmpty()) {
            throw new PackageException("a bundle needs at least one model");
        }
        Model first = Onnx.load(modelFiles.get(0));
        String bundleName = name != null ? name : ModelMetadata.get(first, ModelMetadata.NAME)
                .orElse(stem(modelFiles.get(0)));
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < modelFiles.size(); i++) {
            Path f = modelFiles.get(i);
            entries.add(new Entry(i == 0 ? bundleName : ModelMetadata.get(Onnx.load(f), ModelMetadata.NAME)
                    .orElse(stem(f)), f));
        }
        return write(entries, out, bundleName, first.metadataProps().get(ModelMetadata.PREPROCESSING),
                ModelMetadata.labels(first, modelFiles.get(0)), extra, zip, latheVersion);
    }

    /**
     * Writes a bundle of named models (each stored as {@code NAME.onnx}) with the given preprocessing JSON (or null)
     * and labels. The folder is assembled under a temporary name and renamed into place.
     */
    public static Path write(List<Entry> entries, Path out, String bundleName, String pre, List<String> labels,
            JsonNode extra, boolean zip, String latheVersion) throws IOException {
        if (entries.isEmpty()) {
            throw new PackageException("a bundle needs at least one model");
        }
        if (Files.exists(out)) {
            throw new PackageException(out + " already exists; remove it or choose another -o");
        }
        Path tmp = out.toAbsolutePath().getParent().resolve("." + out.getFileName() + ".lathe-tmp-"
                + Long.toHexString(System.nanoTime()));
        AtomicFiles.register(tmp);
        try {
            Files.createDirectory(tmp);
            ObjectNode m = JSON.createObjectNode();
            m.put("format", FORMAT);
            m.put("format_version", 1);
            m.put("name", bundleName);
            m.put("lathe_version", latheVersion);
            ArrayNode ms = m.putArray("models");
            TreeSet<String> used = new TreeSet<>();
            for (Entry e : entries) {
                String file = e.name() + ".onnx";
                if (!used.add(file)) {
                    throw new PackageException("two models of the bundle are named '" + e.name() + "'; set distinct"
                            + " names with 'lathe meta set M.onnx name=...'");
                }
                Files.copy(e.file(), tmp.resolve(file));
                ms.addObject().put("name", e.name()).put("file", file);
            }
            if (pre != null) {
                m.set("preprocessing", JSON.readTree(pre));
                Files.writeString(tmp.resolve("preprocessing.json"), pre + "\n", StandardCharsets.UTF_8);
            } else {
                m.putNull("preprocessing");
            }
            if (!labels.isEmpty()) {
                Files.writeString(tmp.resolve("labels.txt"), String.join("\n", labels) + "\n", StandardCharsets.UTF_8);
                m.put("labels_file", "labels.txt");
            } else {
                m.putNull("labels_file");
            }
            m.set("extra", extra == null ? JSON.createObjectNode() : extra);
            ArrayNode files = m.putArray("files");
            for (Path p : listFiles(tmp)) {
                String rel = tmp.relativize(p).toString().replace('\\', '/');
                files.addObject().put("path", rel).put("size", Files.size(p)).put("sha256", ModelMetadata.sha256(p));
            }
            Files.writeString(tmp.resolve(MANIFEST), JSON.writeValueAsString(m) + "\n", StandardCharsets.UTF_8);
            if (zip) {
                Path z = out.resolveSibling(out.getFileName() + ".zip");
                AtomicFiles.write(z, t -> zipFolder(tmp, t));
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            return out;
        } catch (IOException e) {
            throw AtomicFiles.failure(out, e);
        } finally {
            AtomicFiles.deleteTree(tmp);
            AtomicFiles.forget(tmp);
        }
    }

    /**
     * Opens and verifies a bundle folder or .zip (extracted into a temporary folder deleted at exit). Every file the
     * manifest lists must exist with its size and SHA-256, and no other file may be present.
     */
    public static Bundle open(Path path) throws IOException {
        Path dir = path;
        if (Files.isRegularFile(path)) {
            dir = unzip(path);
        }
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new PackageException(path + " is not a bundle: " + MANIFEST + " is missing");
        }
        JsonNode m;
        try {
            m = JSON.readTree(manifest.toFile());
        } catch (IOException e) {
            throw new PackageException(path + ": " + MANIFEST + " is not valid JSON (" + e.getMessage().lines()
                    .findFirst().orElse("") + ")");
        }
        if (m == null || !FORMAT.equals(m.path("format").asText()) || !m.path("files").isArray()) {
            throw new PackageException(path + ": " + MANIFEST + " is not a " + FORMAT + " manifest");
        }
        if (m.path("format_version").asInt() != 1) {
            throw new PackageException(path + ": bundle format_version " + m.path("format_version")
                    + " is not supported (this Lathe reads 1)");
        }
        Map<String, JsonNode> listed = new LinkedHashMap<>();
        for (JsonNode f : m.get("files")) {
            listed.put(f.path("path").asText(), f);
        }
        for (Map.Entry<String, JsonNode> e : listed.entrySet()) {
            String rel = e.getKey();
            Path p = dir.resolve(rel).normalize();
            if (rel.isEmpty() || !p.startsWith(dir.normalize()) || rel.equals(MANIFEST)) {
                throw new PackageException(path + ": manifest lists an invalid path '" + rel + "'");
            }
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new PackageException(path + ": " + rel + " is missing (the manifest lists it)");
            }
            long size = Files.size(p);
            long expected = e.getValue().path("size").asLong(-1);
            if (size != expected) {
                throw new PackageException(path + ": " + rel + " is " + (size < expected ? "truncated" : "longer than"
                        + " listed") + ": " + size + " bytes, the manifest says " + expected);
            }
            if (!ModelMetadata.sha256(p).equals(e.getValue().path("sha256").asText())) {
                throw new PackageException(path + ": " + rel + " has been modified: its SHA-256 differs from the"
                        + " manifest's");
            }
        }
        for (Path p : listFiles(dir)) {
            String rel = dir.relativize(p).toString().replace('\\', '/');
            if (!rel.equals(MANIFEST) && !listed.containsKey(rel)) {
                throw new PackageException(path + ": " + rel + " is not listed in the manifest (added after packaging?)");
            }
        }
        List<Entry> models = new ArrayList<>();
        for (JsonNode e : m.path("models")) {
            String file = e.path("file").asText();
            if (!listed.containsKey(file)) {
                throw new PackageException(path + ": model file '" + file + "' is not among the manifest's files");
            }
            models.add(new Entry(e.path("name").asText(stem(Path.of(file))), dir.resolve(file)));
        }
        if (models.isEmpty()) {
            throw new PackageException(path + ": the manifest lists no model");
        }
        JsonNode pre = m.get("preprocessing");
        List<String> labels = List.of();
        if (m.hasNonNull("labels_file")) {
            labels = ModelMetadata.readLabelsFile(dir.resolve(m.get("labels_file").asText()));
        }
        return new Bundle(dir, m.path("name").asText(stem(models.get(0).file())), List.copyOf(models),
                pre == null || pre.isNull() ? null : pre.toString(), labels, m.path("extra"));
    }

    private static List<Path> listFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !Files.isDirectory(p)).sorted().toList();
        }
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static void zipFolder(Path dir, Path zipFile) throws IOException {
        try (OutputStream os = Files.newOutputStream(zipFile); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Path p : listFiles(dir)) {
                ZipEntry e = new ZipEntry(dir.relativize(p).toString().replace('\\', '/'));
                e.setTime(0); // reproducible archives: the same bundle gives the same bytes
                z.putNextEntry(e);
                Files.copy(p, z);
                z.closeEntry();
            }
        }
    }

    private static Path unzip(Path zip) throws IOException {
        Path dir = Files.createTempDirectory("lathe-bundle");
        AtomicFiles.register(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                AtomicFiles.deleteTree(dir);
            } catch (IOException e) {
                // exiting
            }
        }));
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                Path p = dir.resolve(e.getName()).normalize();
                if (!p.startsWith(dir)) {
                    throw new PackageException(zip + ": entry '" + e.getName() + "' points outside the bundle");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                    continue;
                }
                Files.createDirectories(p.getParent());
                Files.copy(z, p);
            }
        } catch (java.util.zip.ZipException e) {
            throw new PackageException(zip + " is not a readable zip (truncated?): " + e.getMessage(), e);
        } catch (java.io.EOFException e) {
            throw new PackageException(zip + " is truncated: the zip ends inside an entry", e);
        }
        return dir;
    }
}

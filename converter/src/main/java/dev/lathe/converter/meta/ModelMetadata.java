package dev.lathe.converter.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lathe.graph.ir.Model;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a Lathe model says about itself in ONNX {@code metadata_props}: one key per fact, values plain strings or
 * JSON, all under {@code lathe.}, so other tools' keys (and another Lathe step's, e.g. {@code lathe.quantization.*})
 * are carried through untouched.
 *
 * <ul>
 * <li>{@code lathe.name}: the model's serving name</li>
 * <li>{@code lathe.preprocessing}: the data pipeline's {@code Preprocessing} as JSON (parsed by runtime-api's
 * {@code dev.lathe.runtime.data.Preprocessing.parse})</li>
 * <li>{@code lathe.labels}: a JSON array of class names, index = output position; or {@code lathe.labels_file}: a
 * file of one name per line, relative to the model file</li>
 * <li>{@code lathe.provenance.version}, {@code .command} (the last command line that wrote the model),
 * {@code .history} (JSON array of every command line, oldest first), {@code .zoo}, {@code .checkpoint},
 * {@code .checkpoint_sha256}, {@code .pruning} (a one-line summary), {@code .calibration} (method)</li>
 * </ul>
 * The class edits a {@link Model}'s map in place; it checks the JSON keys when they are set.
 */
public final class ModelMetadata {
    public static final String PREFIX = "lathe.";
    public static final String NAME = "lathe.name";
    public static final String PREPROCESSING = "lathe.preprocessing";
    public static final String LABELS = "lathe.labels";
    public static final String LABELS_FILE = "lathe.labels_file";
    public static final String VERSION = "lathe.provenance.version";
    public static final String COMMAND = "lathe.provenance.command";
    public static final String HISTORY = "lathe.provenance.history";
    public static final String ZOO = "lathe.provenance.zoo";
    public static final String CHECKPOINT = "lathe.provenance.checkpoint";
    public static final String CHECKPOINT_SHA256 = "lathe.provenance.checkpoint_sha256";
    public static final String PRUNING = "lathe.provenance.pruning";
    public static final String CALIBRATION = "lathe.provenance.calibration";

    /** Short names accepted by {@code lathe meta set/get} for the keys above. */
    public static final Map<String, String> ALIASES = Map.of("name", NAME, "preprocessing", PREPROCESSING,
            "labels", LABELS, "labels_file", LABELS_FILE);

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelMetadata() {}

    /** The full key for a short alias ("labels" -> "lathe.labels"); other keys unchanged. */
    public static String key(String nameOrAlias) {
        return ALIASES.getOrDefault(nameOrAlias, nameOrAlias);
    }

    public static Optional<String> get(Model model, String key) {
        return Optional.ofNullable(model.metadataProps().get(key(key)));
    }

    /**
     * Sets a key after checking values of the keys Lathe reads: {@code lathe.labels} must be a JSON array of
     * strings; an empty value removes the key. Other checks (preprocessing) belong to the caller that can parse them.
     */
    public static void set(Model model, String key, String value) {
        String k = key(key);
        if (k.isEmpty() || k.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("metadata key '" + key + "' is empty or has control characters");
        }
        if (value == null || value.isEmpty()) {
            model.metadataProps().remove(k);
            return;
        }
        if (k.equals(LABELS)) {
            parseLabels(value);
        }
        if (k.equals(HISTORY)) {
            parseStrings(value, HISTORY);
        }
        model.metadataProps().put(k, value);
    }

    /** The inline labels, or empty when the model has none. */
    public static List<String> labels(Model model) {
        String v = model.metadataProps().get(LABELS);
        return v == null ? List.of() : parseLabels(v);
    }

    public static void setLabels(Model model, List<String> labels) {
        ArrayNode a = JSON.createArrayNode();
        labels.forEach(a::add);
        model.metadataProps().put(LABELS, a.toString());
    }

    /** Labels of a file with one per line (blank trailing lines ignored), as Triton's label files are. */
    public static List<String> readLabelsFile(Path file) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /**
     * The labels of a model loaded from {@code modelFile}: inline, or from {@code lathe.labels_file} resolved beside
     * it; empty when neither is set.
     */
    public static List<String> labels(Model model, Path modelFile) throws IOException {
        List<String> inline = labels(model);
        String file = model.metadataProps().get(LABELS_FILE);
        if (!inline.isEmpty() || file == null) {
            return inline;
        }
        Path p = modelFile.toAbsolutePath().getParent().resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new IOException(modelFile + ": metadata " + LABELS_FILE + " names " + p + ", which does not exist");
        }
        return readLabelsFile(p);
    }

    static List<String> parseLabels(String value) {
        return parseStrings(value, LABELS);
    }

    private static List<String> parseStrings(String value, String key) {
        JsonNode n;
        try {
            n = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata " + key + " must be a JSON array of strings: "
                    + e.getOriginalMessage());
        }
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException("metadata " + key + " must be a JSON array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException("metadata " + key + " must be a JSON array of strings, found " + e);
            }
            out.add(e.asText());
        }
        return out;
    }

    /** Every command line that wrote the model, oldest first. */
    public static List<String> history(Model model) {
        String v = model.metadataProps().get(HISTORY);
        if (v == null) {
            return List.of();
        }
        try {
            return parseStrings(v, HISTORY);
        } catch (IllegalArgumentException e) {
            return List.of(v); // written by something else: kept as one entry
        }
    }

    /**
     * Records that Lathe {@code version} wrote the model with {@code commandLine}: sets the version and the command,
     * appends the command to the history; every other key is carried as it is.
     */
    public static void stamp(Model model, String version, String commandLine) {
        List<String> h = new ArrayList<>(history(model));
        h.add(commandLine);
        ArrayNode a = JSON.createArrayNode();
        h.forEach(a::add);
        Map<String, String> m = model.metadataProps();
        m.put(VERSION, version);
        m.put(COMMAND, commandLine);
        m.put(HISTORY, a.toString());
    }

    /** The Lathe keys of a model in a stable order (the model's), then the others. */
    public static Map<String, String> all(Model model) {
        Map<String, String> out = new LinkedHashMap<>();
        model.metadataProps().forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                out.put(k, v);
            }
        });
        model.metadataProps().forEach((k, v) -> {
            if (!k.startsWith(PREFIX)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Lowercase hex SHA-256 of a file, streamed. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

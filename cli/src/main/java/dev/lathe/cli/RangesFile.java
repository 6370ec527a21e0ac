package dev.lathe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.calibration.method.CalibrationMethod;
import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.calibration.stats.TensorStats;
import dev.lathe.graph.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ranges file of {@code lathe calibrate}, read back by {@code lathe quantize}: per tensor its range, whether it
 * is symmetric, the method and the observed extremes, in graph order.
 */
final class RangesFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RangesFile() {}

    /** A file read back: the method and each tensor's range for quantization (see CalibrationRange#nonNegative). */
    record Loaded(String method, Map<String, CalibrationRange> ranges) {}

    static ObjectNode json(String model, CalibrationMethod method, double percentile, boolean symmetric, long samples,
            Map<String, TensorStats> stats) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        root.put("method", method.label());
        if (method == CalibrationMethod.PERCENTILE) {
            root.put("percentile", percentile);
        }
        root.put("samples", samples);
        ObjectNode tensors = root.putObject("tensors");
        stats.forEach((name, s) -> {
            CalibrationRange r;
            try {
                r = method.range(s, percentile, symmetric);
            } catch (IllegalArgumentException e) {
                throw new UserError("tensor " + name + ": " + e.getMessage());
            }
            ObjectNode t = tensors.putObject(name);
            t.put("min", r.min());
            t.put("max", r.max());
            t.put("symmetric", r.symmetric());
            t.put("method", method.label());
            t.put("samples", samples);
            t.put("values", s.count());
            t.put("observed_min", s.min());
            t.put("observed_max", s.max());
        });
        return root;
    }

    static void write(Path out, ObjectNode root) throws IOException {
        AtomicFiles.write(out, tmp -> JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(),
                root));
    }

    /** Reads a ranges file; anything missing or malformed is one line naming the file and the key. */
    static Loaded read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserError("ranges file not found: " + file);
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new UserError(file + ": not JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode tensors = root == null ? null : root.get("tensors");
        if (tensors == null || !tensors.isObject()) {
            throw new UserError(file + ": no \"tensors\" object (a file written by lathe calibrate has one)");
        }
        Map<String, CalibrationRange> ranges = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tensors.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode t = e.getValue();
            double min = number(file, e.getKey(), t, "min");
            double max = number(file, e.getKey(), t, "max");
            double observedMin = t.has("observed_min") ? number(file, e.getKey(), t, "observed_min") : min;
            try {
                ranges.put(e.getKey(), new CalibrationRange(min, max, t.path("symmetric").asBoolean(false))
                        .nonNegative(observedMin));
            } catch (IllegalArgumentException ex) {
                throw new UserError(file + ": tensors." + e.getKey() + ": " + ex.getMessage());
            }
        }
        return new Loaded(root.path("method").asText("unknown"), ranges);
    }

    private static double number(Path file, String tensor, JsonNode t, String key) {
        JsonNode v = t.get(key);
        if (v == null || !v.isNumber()) {
            throw new UserError(file + ": tensors." + tensor + "." + key + " must be a number");
        }
        return v.asDouble();
    }
}

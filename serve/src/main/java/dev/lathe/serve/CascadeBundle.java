package dev.lathe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.converter.deploy.Bundle;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An AnchorNet cascade packed as one bundle: the three models under their role names and, in the manifest's
 * {@code extra.cascade}, which model plays which role, the exit and IoU thresholds, the selection settings and the
 * MACs per exit stage (informative; the cascade recounts them when it opens).
 *
 * <pre>
 * "extra": {"cascade": {"anchornet": "anchornet", "resized": "resized", "patch": "patch",
 *   "exit_thresholds": [0.5, 0.8, 0.9, 0.9, 0], "iou_thresholds": [0.3, 0.3, 0.3, 0.3],
 *   "flat_index_zero_quirk": true, "patch_size": 95, "stride": 8, "stage_gmacs": [...]}}
 * </pre>
 */
public record CascadeBundle(Map<String, Path> models, CascadeSettings settings) {
    public static final String KEY = "cascade";
    public static final String[] ROLES = {"anchornet", "resized", "patch"};

    /** The {@code extra} of a bundle holding this cascade, its models named as in {@code names} (role -> name). */
    public static ObjectNode extra(Map<String, String> names, CascadeSettings s, double[] stageGmacs) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        ObjectNode c = root.putObject(KEY);
        for (String role : ROLES) {
            c.put(role, names.get(role));
        }
        put(c, "exit_thresholds", s.exitThresholds());
        put(c, "iou_thresholds", s.iouThresholds());
        c.put("flat_index_zero_quirk", s.flatIndexZeroQuirk());
        c.put("patch_size", s.patchSize());
        c.put("stride", s.stride());
        put(c, "stage_gmacs", stageGmacs);
        return root;
    }

    private static void put(ObjectNode o, String key, double[] values) {
        var a = o.putArray(key);
        for (double v : values) {
            a.add(v);
        }
    }

    /** The cascade a bundle holds, or null when its extra has none; a malformed description names the key. */
    public static CascadeBundle of(Bundle b) {
        JsonNode c = b.extra() == null ? null : b.extra().get(KEY);
        if (c == null) {
            return null;
        }
        Map<String, Path> files = new LinkedHashMap<>();
        for (Bundle.Entry e : b.models()) {
            files.put(e.name(), e.file());
        }
        Map<String, Path> models = new LinkedHashMap<>();
        for (String role : ROLES) {
            String name = c.path(role).asText("");
            if (!files.containsKey(name)) {
                throw new PackageException(b.dir() + ": extra.cascade." + role + " must name one of the bundle's models "
                        + files.keySet() + ", got '" + name + "'");
            }
            models.put(role, files.get(name));
        }
        try {
            return new CascadeBundle(models, new CascadeSettings(numbers(b, c, "exit_thresholds"),
                    numbers(b, c, "iou_thresholds"), c.path("flat_index_zero_quirk").asBoolean(true),
                    c.path("patch_size").asInt(CascadeSettings.PATCH), c.path("stride").asInt(CascadeSettings.STRIDE)));
        } catch (IllegalArgumentException e) {
            throw new PackageException(b.dir() + ": extra.cascade: " + e.getMessage());
        }
    }

    private static double[] numbers(Bundle b, JsonNode c, String key) {
        JsonNode a = c.get(key);
        if (a == null || !a.isArray()) {
            throw new PackageException(b.dir() + ": extra.cascade." + key + " must be an array of numbers");
        }
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            if (!a.get(i).isNumber()) {
                throw new PackageException(b.dir() + ": extra.cascade." + key + "[" + i + "] is not a number: "
                        + a.get(i));
            }
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    /** Opens the cascade on {@code runtime}; it owns its three sessions. */
    public AnchorCascade open(InferenceRuntime runtime, SessionConfig config) throws IOException {
        return AnchorCascade.open(runtime, config, Onnx.load(models.get("anchornet")), Onnx.load(models.get("resized")),
                Onnx.load(models.get("patch")), settings);
    }
}

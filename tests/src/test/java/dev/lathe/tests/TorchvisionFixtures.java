package dev.lathe.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The torch.onnx fixtures in {@code fixtures/torchvision} (made by {@code generate_torchvision.py} beside them) and
 * their manifest: file names and PyTorch's own parameter and MAC counts.
 */
public final class TorchvisionFixtures {
    private TorchvisionFixtures() {}

    public static Path dir() {
        try {
            return Path.of(TorchvisionFixtures.class.getResource("/fixtures/torchvision/manifest.json").toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode manifest() {
        try {
            return new ObjectMapper().readTree(dir().resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the small exported models (with weights, inputs and outputs), e.g. "resnet18_narrow_op13". */
    public static List<String> smallModels() {
        List<String> out = new ArrayList<>();
        Iterator<String> it = manifest().fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (manifest().get(k).has("output_file")) {
                out.add(k);
            }
        }
        return out;
    }

    /** The model file of a manifest entry, decompressed into {@code tmp} when it is gzipped. */
    public static Path modelFile(String key, Path tmp) throws IOException {
        String file = manifest().get(key).get("file").asText();
        Path p = dir().resolve(file);
        if (!file.endsWith(".gz")) {
            return p;
        }
        Path out = tmp.resolve(file.substring(0, file.length() - 3));
        if (!Files.exists(out)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(p), 1 << 16);
                 OutputStream o = Files.newOutputStream(out)) {
                in.transferTo(o);
            }
        }
        return out;
    }
}

package dev.lathe.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.cli.Main;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.io.Npy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code lathe run} on the torch.onnx-exported torchvision-style fixtures (opsets 13 and 17): the .npy it writes
 * must match PyTorch's recorded logits. Tolerance 1e-4 absolute: float32 PyTorch CPU and ONNX Runtime CPU sum in
 * different orders, and logits here are O(1).
 */
class LatheRunTorchvisionTest {
    private static final double ATOL = 1e-4;

    static Path fixtures() {
        try {
            return Path.of(LatheRunTorchvisionTest.class.getResource("/fixtures/torchvision/manifest.json").toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> modelsWithReferenceOutputs() throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(fixtures().resolve("manifest.json").toFile());
        List<String> names = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = manifest.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().has("output_file")) {
                names.add(e.getKey());
            }
        }
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("modelsWithReferenceOutputs")
    void runWritesPyTorchsLogits(String name, @TempDir Path out) throws IOException {
        JsonNode m = new ObjectMapper().readTree(fixtures().resolve("manifest.json").toFile()).get(name);
        Path model = fixtures().resolve(m.get("file").asText());
        Path input = fixtures().resolve(m.get("input_file").asText());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"run", model.toString(), "--input", m.get("input").asText() + "=" + input,
                "-o", out.toString(), "--threads", "1"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        HostTensor expected = Npy.read(fixtures().resolve(m.get("output_file").asText()));
        HostTensor actual = Npy.read(out.resolve(m.get("output").asText() + ".npy"));
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toFloats();
        float[] a = actual.toFloats();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], ATOL, name + " logit " + i);
        }
    }
}

package dev.lathe.converter.ckpt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fixtures written by src/test/resources/ckpt/generate.py and their expected values (expected.json). */
public final class Fixtures {
    public static final Path DIR = Path.of("src/test/resources/ckpt");
    private static JsonNode expected;

    private Fixtures() {}

    public static Path file(String name) {
        return DIR.resolve(name);
    }

    public static synchronized JsonNode expected() throws IOException {
        if (expected == null) {
            expected = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
        }
        return expected;
    }

    /** Asserts dtype, shape and every byte of {@code actual} against PyTorch's record {@code spec}. */
    public static void assertSameAsTorch(String key, JsonNode spec, Tensor actual) {
        assertEquals(DataType.valueOf(spec.get("dtype").asText()), actual.dtype(), key + " dtype");
        long[] shape = new long[spec.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = spec.get("shape").get(i).asLong();
        }
        assertArrayEquals(shape, actual.dims(), key + " shape " + Arrays.toString(actual.dims()));
        byte[] want = Base64.getDecoder().decode(spec.get("base64").asText());
        ByteBuffer data = actual.data();
        byte[] got = new byte[data.remaining()];
        data.get(got);
        assertArrayEquals(want, got, key + " bytes");
    }

    /** Asserts that {@code tensors} holds exactly the keys of {@code specs}, each bit-identical. */
    public static void assertAllSameAsTorch(JsonNode specs, Map<String, Tensor> tensors) {
        Iterator<String> names = specs.fieldNames();
        int n = 0;
        while (names.hasNext()) {
            String k = names.next();
            Tensor t = tensors.get(k);
            if (t == null) {
                throw new AssertionError("missing tensor " + k + " (have " + tensors.keySet() + ")");
            }
            assertSameAsTorch(k, specs.get(k), t);
            n++;
        }
        assertEquals(n, tensors.size(), "tensor count, have " + tensors.keySet());
    }

    /** Locates shared/data/... beside the repository (CI clones shared/ next to the repo; worktrees sit deeper). */
    public static Path shared(String relative) {
        Path repo = Path.of("").toAbsolutePath().getParent();
        for (Path p = repo.getParent(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return repo.getParent().resolve("shared").resolve(relative);
    }
}

package dev.lathe.graph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PyTorch reference written by a generate.py: fixture.txt (name dtype dims offset) over fixture.bin, and the
 * relative-error check the parity tests compare with. Shared with the models module's tests (graph-ops test-jar).
 */
public final class Fixture {
    /** The tolerance for train-step parity with PyTorch autograd. */
    public static final double PARITY_TOLERANCE = 1e-4;

    public final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public Fixture(String resourceDir) throws IOException {
        byte[] bin;
        List<String> index;
        try (InputStream b = Fixture.class.getResourceAsStream(resourceDir + "/fixture.bin");
             InputStream t = Fixture.class.getResourceAsStream(resourceDir + "/fixture.txt")) {
            if (b == null || t == null) {
                throw new IOException("no fixture.bin/fixture.txt under test resource " + resourceDir);
            }
            bin = b.readAllBytes();
            index = new String(t.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        for (String line : index) {
            String[] f = line.split(" ");
            long[] dims = f[2].isEmpty() ? new long[0] : Arrays.stream(f[2].split(",")).mapToLong(Long::parseLong).toArray();
            int offset = Integer.parseInt(f.length > 3 ? f[3] : f[2]);
            if (f.length == 3) { // scalar: the dims field is empty and split drops it
                dims = new long[0];
                offset = Integer.parseInt(f[2]);
            }
            boolean isLong = f[1].equals("i64");
            int bytes = (int) (Tensor.numel(dims) * (isLong ? 8 : 4));
            ByteBuffer data = ByteBuffer.wrap(bin, offset, bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
            tensors.put(f[0], Tensor.of(isLong ? DataType.INT64 : DataType.FLOAT, dims, data));
        }
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("fixture has no tensor " + name);
        }
        return t;
    }

    /** The names after {@code prefix} of the entries starting with it (e.g. "grad:" gives parameter keys). */
    public List<String> keys(String prefix) {
        return tensors.keySet().stream().filter(k -> k.startsWith(prefix)).map(k -> k.substring(prefix.length())).toList();
    }

    public static void assertClose(String what, Tensor expected, float[] actual) {
        assertClose(what, expected, actual, PARITY_TOLERANCE);
    }

    /** ||expected - actual|| / ||expected|| within {@code tolerance}. */
    public static void assertClose(String what, Tensor expected, float[] actual, double tolerance) {
        float[] e = expected.toFloats();
        assertEquals(e.length, actual.length, what + " size");
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < e.length; i++) {
            diff += (e[i] - actual[i]) * (double) (e[i] - actual[i]);
            norm += e[i] * (double) e[i];
        }
        double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
        assertTrue(rel <= tolerance, what + ": relative error " + rel + " > " + tolerance);
    }
}

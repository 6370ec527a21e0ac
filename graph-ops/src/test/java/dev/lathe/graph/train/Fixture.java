package dev.lathe.graph.train;

import dev.lathe.graph.ir.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a fixture written by a generate.py: fixture.txt (name dtype dims offset) over fixture.bin. */
final class Fixture {
    final Map<String, Tensor> tensors = new LinkedHashMap<>();

    Fixture(String resourceDir) throws IOException {
        byte[] bin;
        List<String> index;
        try (InputStream b = Fixture.class.getResourceAsStream(resourceDir + "/fixture.bin");
             InputStream t = Fixture.class.getResourceAsStream(resourceDir + "/fixture.txt")) {
            bin = b.readAllBytes();
            index = new String(t.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        }
        for (String line : index) {
            String[] f = line.split(" ");
            long[] dims = f[2].isEmpty() ? new long[0]
                    : java.util.Arrays.stream(f[2].split(",")).mapToLong(Long::parseLong).toArray();
            int offset = Integer.parseInt(f.length > 3 ? f[3] : f[2]);
            if (f.length == 3) { // scalar: the dims field is empty and split drops it
                dims = new long[0];
                offset = Integer.parseInt(f[2]);
            }
            boolean isLong = f[1].equals("i64");
            int bytes = (int) (Tensor.numel(dims) * (isLong ? 8 : 4));
            ByteBuffer data = ByteBuffer.wrap(bin, offset, bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
            tensors.put(f[0], Tensor.of(isLong ? dev.lathe.graph.ir.DataType.INT64 : dev.lathe.graph.ir.DataType.FLOAT,
                    dims, data));
        }
    }

    Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("fixture has no tensor " + name);
        }
        return t;
    }
}

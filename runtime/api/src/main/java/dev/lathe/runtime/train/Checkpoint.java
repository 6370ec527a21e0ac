package dev.lathe.runtime.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: the number of finished epochs plus every parameter, BN buffer and optimizer-state tensor.
 * File layout: magic "LATHECKP", a 4-byte big-endian header length, a JSON header (epoch, tensor names, shapes and
 * byte offsets), then little-endian float32 data. Written to a temporary file and renamed, so a kill never leaves a
 * half-written checkpoint behind.
 */
public record Checkpoint(int epochsDone, Map<String, long[]> shapes, Map<String, float[]> tensors) {
    private static final byte[] MAGIC = "LATHECKP".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    public void write(Path file) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.put("format", 1);
        header.put("epochs_done", epochsDone);
        ArrayNode list = header.putArray("tensors");
        long offset = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            ObjectNode t = list.addObject();
            t.put("name", e.getKey());
            ArrayNode dims = t.putArray("dims");
            for (long d : shapes.get(e.getKey())) {
                dims.add(d);
            }
            t.put("offset", offset);
            offset += 4L * e.getValue().length;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream out = new DataOutputStream(
                new java.io.BufferedOutputStream(os, 1 << 20))) {
            out.write(MAGIC);
            out.writeInt(h.length);
            out.write(h);
            for (float[] v : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                out.write(b.array());
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Checkpoint read(Path file) throws IOException {
        try (InputStream is = Files.newInputStream(file); DataInputStream in = new DataInputStream(
                new java.io.BufferedInputStream(is, 1 << 20))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a Lathe checkpoint (bad magic)");
            }
            byte[] h = in.readNBytes(in.readInt());
            ObjectNode header = (ObjectNode) JSON.readTree(h);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, float[]> tensors = new LinkedHashMap<>();
            for (var t : header.get("tensors")) {
                long[] dims = new long[t.get("dims").size()];
                long n = 1;
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = t.get("dims").get(i).asLong();
                    n *= dims[i];
                }
                byte[] raw = in.readNBytes((int) (4 * n));
                if (raw.length != 4 * n) {
                    throw new IOException(file + ": tensor " + t.get("name").asText() + " is truncated");
                }
                float[] v = new float[(int) n];
                FloatBuffer fb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                fb.get(v);
                shapes.put(t.get("name").asText(), dims);
                tensors.put(t.get("name").asText(), v);
            }
            return new Checkpoint(header.get("epochs_done").asInt(), shapes, tensors);
        }
    }
}

package dev.lathe.runtime.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: the number of finished epochs plus every parameter, BN buffer and optimizer-state tensor,
 * each in its own element type. File layout: magic "LATHECKP", a 4-byte big-endian header length, a JSON header
 * (format, epoch, tensor names, ONNX element types, shapes and byte offsets), then the tensors' little-endian data.
 * Format 1 files (float32 only, no element types) are still read. Written to a temporary file and renamed, so a kill
 * never leaves a half-written checkpoint behind.
 */
public record Checkpoint(int epochsDone, Map<String, Tensor> tensors) {
    private static final byte[] MAGIC = "LATHECKP".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The values of a FLOAT tensor. */
    public float[] floats(String name) {
        Tensor t = tensors.get(name);
        return t == null ? null : t.toFloats();
    }

    public void write(Path file) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.put("format", 2);
        header.put("epochs_done", epochsDone);
        ArrayNode list = header.putArray("tensors");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = list.addObject();
            t.put("name", e.getKey());
            t.put("dtype", e.getValue().dtype().code());
            ArrayNode dims = t.putArray("dims");
            for (long d : e.getValue().dims()) {
                dims.add(d);
            }
            t.put("offset", offset);
            offset += e.getValue().byteSize();
        }
        byte[] h = JSON.writeValueAsBytes(header);
        AtomicFiles.write(file, tmp -> {
            try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream out = new DataOutputStream(
                    new java.io.BufferedOutputStream(os, 1 << 20))) {
                out.write(MAGIC);
                out.writeInt(h.length);
                out.write(h);
                for (Tensor t : tensors.values()) {
                    byte[] raw = new byte[(int) t.byteSize()];
                    t.data().get(0, raw);
                    out.write(raw);
                }
            }
        });
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
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (var t : header.get("tensors")) {
                String name = t.get("name").asText();
                DataType dtype = t.has("dtype") ? DataType.fromCode(t.get("dtype").asInt()) : DataType.FLOAT;
                long[] dims = new long[t.get("dims").size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = t.get("dims").get(i).asLong();
                }
                long bytes = dtype.byteSize(Tensor.numel(dims));
                byte[] raw = in.readNBytes((int) bytes);
                if (raw.length != bytes) {
                    throw new IOException(file + ": tensor " + name + " is truncated");
                }
                tensors.put(name, Tensor.of(dtype, dims, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN)));
            }
            return new Checkpoint(header.get("epochs_done").asInt(), tensors);
        }
    }
}

package dev.lathe.converter.ckpt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.graph.ir.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a .safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
 * and [begin, end) byte range in the data section, then the packed data, which is memory-mapped per tensor.
 */
final class SafetensorsReader {
    /** The format caps the header at 100 MB. */
    private static final long MAX_HEADER = 100L << 20;

    private static final Map<String, DataType> DTYPES = Map.ofEntries(
            Map.entry("F64", DataType.DOUBLE), Map.entry("F32", DataType.FLOAT), Map.entry("F16", DataType.FLOAT16),
            Map.entry("BF16", DataType.BFLOAT16), Map.entry("I64", DataType.INT64), Map.entry("I32", DataType.INT32),
            Map.entry("I16", DataType.INT16), Map.entry("I8", DataType.INT8), Map.entry("U8", DataType.UINT8),
            Map.entry("U16", DataType.UINT16), Map.entry("U32", DataType.UINT32), Map.entry("U64", DataType.UINT64),
            Map.entry("BOOL", DataType.BOOL), Map.entry("F8_E4M3", DataType.FLOAT8E4M3FN),
            Map.entry("F8_E5M2", DataType.FLOAT8E5M2));

    private SafetensorsReader() {}

    static Checkpoint read(String file, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer lengthBytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength <= 0 || headerLength > MAX_HEADER || headerLength > size - 8) {
            throw new CheckpointFormatException(file + ": safetensors header length " + headerLength
                    + " is invalid for a " + size + "-byte file");
        }
        ByteBuffer headerBuffer = channel.map(FileChannel.MapMode.READ_ONLY, 8, headerLength);
        byte[] headerBytes = new byte[(int) headerLength];
        headerBuffer.get(headerBytes);
        JsonNode header;
        try {
            header = new ObjectMapper().readTree(headerBytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the original message, without Jackson's multi-line source excerpt
            throw new CheckpointFormatException(file + ": safetensors header is not JSON: " + e.getOriginalMessage()
                    + " (header byte " + e.getLocation().getByteOffset() + ")");
        } catch (IOException e) {
            throw new CheckpointFormatException(file + ": safetensors header is not JSON: " + e.getMessage());
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointFormatException(file + ": safetensors header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        Map<String, Object> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            JsonNode spec = f.getValue();
            if (name.equals("__metadata__")) {
                spec.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = file + ": tensor " + name;
            DataType dtype = DTYPES.get(spec.path("dtype").asText());
            if (dtype == null) {
                throw new CheckpointFormatException(where + " has unsupported dtype '" + spec.path("dtype").asText()
                        + "'");
            }
            JsonNode shapeNode = spec.path("shape");
            JsonNode offsets = spec.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new CheckpointFormatException(where + " needs a shape array and data_offsets [begin, end]");
            }
            long[] shape = new long[shapeNode.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                if (!shapeNode.get(i).canConvertToLong() || shapeNode.get(i).asLong() < 0) {
                    throw new CheckpointFormatException(where + " has an invalid dimension " + shapeNode.get(i));
                }
                shape[i] = shapeNode.get(i).asLong();
                try {
                    numel = Math.multiplyExact(numel, shape[i]);
                } catch (ArithmeticException e) {
                    throw new CheckpointFormatException(where + " has a shape that overflows");
                }
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            long need = numel > Long.MAX_VALUE / 8 ? -1 : dtype.byteSize(numel);
            if (begin < 0 || end < begin || end > dataSize || end - begin != need) {
                throw new CheckpointFormatException(where + " has data_offsets [" + begin + ", " + end + "] but needs "
                        + need + " bytes inside the " + dataSize + "-byte data section");
            }
            if (need > Integer.MAX_VALUE) {
                throw new CheckpointFormatException(where + " exceeds 2 GiB, which one ONNX tensor buffer cannot hold");
            }
            if (tensors.containsKey(name)) {
                throw new CheckpointFormatException(where + " appears twice");
            }
            Storage storage = new Storage(name, dtype, numel);
            ByteBuffer data = need == 0 ? ByteBuffer.allocate(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, need);
            storage.attach(data, file);
            tensors.put(name, StoredTensor.packed(storage, shape));
            if (need > 0) {
                ranges.add(new long[] {begin, end});
            }
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) {
                throw new CheckpointFormatException(file + ": tensors overlap at data byte " + ranges.get(i)[0]);
            }
        }
        return new Checkpoint(file, Checkpoint.Format.SAFETENSORS, tensors, metadata);
    }
}

package dev.lathe.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.TensorSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Open Inference Protocol (KServe v2) tensors: datatype names, shapes, row-major data as JSON (nested or flat) or as
 * binary (the binary tensor data extension Triton and KServe speak: little-endian values after the JSON object).
 */
final class V2Tensors {
    private V2Tensors() {}

    static final Map<DataType, String> NAMES = Map.of(DataType.FLOAT, "FP32", DataType.DOUBLE, "FP64",
            DataType.FLOAT16, "FP16", DataType.INT8, "INT8", DataType.UINT8, "UINT8", DataType.INT32, "INT32",
            DataType.INT64, "INT64", DataType.BOOL, "BOOL");

    static String name(DataType t) {
        String n = NAMES.get(t);
        return n != null ? n : t.name();
    }

    /** The model's shape with symbolic dims as -1, as v2 model metadata lists them. */
    static List<Long> shape(TensorSpec s) {
        List<Long> out = new ArrayList<>();
        for (Dim d : s.shape().dims()) {
            out.add(d instanceof Dim.Fixed f ? f.size() : -1L);
        }
        return out;
    }

    /**
     * An input tensor whose values are JSON numbers in {@code data}, checked against the model input: datatype, rank,
     * fixed dims, element count.
     */
    static HostTensor parse(JsonNode in, TensorSpec spec) {
        String name = spec.name();
        HostTensor t = allocate(in, spec);
        long n = t.numel();
        List<JsonNode> flat = new ArrayList<>();
        flatten(in.get("data"), flat, name);
        if (flat.size() != n) {
            throw new RequestException(400, "input '" + name + "' has " + flat.size() + " data elements, its shape "
                    + Arrays.toString(t.shape()) + " needs " + n);
        }
        ByteBuffer b = t.data();
        for (int i = 0; i < flat.size(); i++) {
            JsonNode v = flat.get(i);
            if (spec.dtype() == DataType.BOOL ? !v.isBoolean() : !v.isNumber()) {
                throw new RequestException(400, "input '" + name + "' element " + i + " is " + v + ", not "
                        + (spec.dtype() == DataType.BOOL ? "a boolean" : "a number"));
            }
            switch (spec.dtype()) {
                case FLOAT -> b.putFloat(4 * i, (float) v.asDouble());
                case DOUBLE -> b.putDouble(8 * i, v.asDouble());
                case FLOAT16 -> b.putShort(2 * i, dev.lathe.graph.ir.Half.fromFloat((float) v.asDouble()));
                case INT64 -> b.putLong(8 * i, integral(v, name));
                case INT32 -> b.putInt(4 * i, (int) integral(v, name));
                case INT8, UINT8 -> b.put(i, (byte) integral(v, name));
                case BOOL -> b.put(i, (byte) (v.asBoolean() ? 1 : 0));
                default -> throw new RequestException(400, "input '" + name + "': datatype "
                        + in.path("datatype").asText() + " is not served");
            }
        }
        return t;
    }

    /**
     * An input tensor whose values came as binary data (the binary tensor data extension): {@code bytes} holds them
     * little-endian, row major, exactly {@code binary_data_size} bytes.
     */
    static HostTensor parseBinary(JsonNode in, TensorSpec spec, ByteBuffer bytes) {
        HostTensor t = allocate(in, spec);
        if (bytes.remaining() != t.byteSize()) {
            throw new RequestException(400, "input '" + spec.name() + "' has binary_data_size " + bytes.remaining()
                    + ", its shape " + Arrays.toString(t.shape()) + " of " + name(spec.dtype()) + " needs "
                    + t.byteSize() + " bytes");
        }
        copy(bytes.slice().order(ByteOrder.LITTLE_ENDIAN), t.data(), t); // little-endian wire, native tensor
        return t;
    }

    /**
     * {@code t}'s elements from {@code src} to {@code dst} (each holding {@code t.byteSize()} bytes from index 0),
     * converting between their byte orders: one bulk copy when they agree (native little-endian, the usual case).
     */
    private static void copy(ByteBuffer src, ByteBuffer dst, HostTensor t) {
        int n = (int) t.numel();
        int width = (int) (t.byteSize() / Math.max(1, n));
        if (width == 1 || src.order() == dst.order()) {
            dst.put(0, src, 0, (int) t.byteSize());
            return;
        }
        for (int i = 0; i < n; i++) {
            switch (width) {
                case 8 -> dst.putLong(8 * i, src.getLong(8 * i));
                case 4 -> dst.putInt(4 * i, src.getInt(4 * i));
                default -> dst.putShort(2 * i, src.getShort(2 * i));
            }
        }
    }

    /** The tensor a request input names: datatype and shape checked against the model's input. */
    private static HostTensor allocate(JsonNode in, TensorSpec spec) {
        String name = spec.name();
        String datatype = in.path("datatype").asText("");
        if (!datatype.equals(name(spec.dtype()))) {
            throw new RequestException(400, "input '" + name + "' has datatype '" + datatype + "', the model expects "
                    + name(spec.dtype()));
        }
        JsonNode shapeNode = in.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new RequestException(400, "input '" + name + "' has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!shapeNode.get(i).canConvertToLong() || shapeNode.get(i).asLong() < 0) {
                throw new RequestException(400, "input '" + name + "' has an invalid shape " + shapeNode);
            }
            shape[i] = shapeNode.get(i).asLong();
        }
        if (!spec.accepts(shape)) {
            throw new RequestException(400, "input '" + name + "' has shape " + Arrays.toString(shape)
                    + ", the model expects " + shape(spec));
        }
        if (shape.length == 0 || shape[0] < 1) {
            throw new RequestException(400, "input '" + name + "' must have a leading (batch) dimension >= 1");
        }
        if (!NAMES.containsKey(spec.dtype())) {
            throw new RequestException(400, "input '" + name + "': datatype " + datatype + " is not served");
        }
        return HostTensor.allocate(spec.dtype(), shape);
    }

    private static long integral(JsonNode v, String name) {
        if (!v.isIntegralNumber()) {
            throw new RequestException(400, "input '" + name + "' has a non-integer element " + v);
        }
        return v.asLong();
    }

    private static void flatten(JsonNode n, List<JsonNode> out, String name) {
        if (n == null || n.isNull()) {
            throw new RequestException(400, "input '" + name + "' has no data");
        }
        if (n.isArray()) {
            for (JsonNode e : n) {
                flatten(e, out, name);
            }
        } else {
            out.add(n);
        }
    }

    /**
     * Writes {"name", "datatype", "shape", "data"} of an output, or with {@code binary} non-null {"name", "datatype",
     * "shape", "parameters": {"binary_data_size"}} and its values little-endian into {@code binary}.
     */
    static void write(JsonGenerator g, String name, HostTensor t, ByteArrayOutputStream binary) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("datatype", name(t.dtype()));
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        ByteBuffer b = t.data();
        int n = (int) t.numel();
        if (binary != null) {
            g.writeObjectFieldStart("parameters");
            g.writeNumberField("binary_data_size", t.byteSize());
            g.writeEndObject();
            g.writeEndObject();
            ByteBuffer le = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            copy(b, le, t);
            binary.write(le.array());
            return;
        }
        g.writeArrayFieldStart("data");
        for (int i = 0; i < n; i++) {
            switch (t.dtype()) {
                case FLOAT -> g.writeNumber(b.getFloat(4 * i));
                case DOUBLE -> g.writeNumber(b.getDouble(8 * i));
                case FLOAT16 -> g.writeNumber(dev.lathe.graph.ir.Half.toFloat(b.getShort(2 * i)));
                case INT64 -> g.writeNumber(b.getLong(8 * i));
                case INT32 -> g.writeNumber(b.getInt(4 * i));
                case UINT8 -> g.writeNumber(b.get(i) & 0xff);
                case BOOL -> g.writeBoolean(b.get(i) != 0);
                default -> g.writeNumber(b.get(i));
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** BYTES elements in the binary extension's layout: each a 4-byte little-endian length, then its bytes. */
    static List<byte[]> bytesElements(ByteBuffer data, String name) {
        ByteBuffer b = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new RequestException(400, "input '" + name + "': binary BYTES element " + out.size()
                        + " is cut short (" + b.remaining() + " bytes where a 4-byte length belongs)");
            }
            long len = b.getInt() & 0xffffffffL;
            if (len > b.remaining()) {
                throw new RequestException(400, "input '" + name + "': binary BYTES element " + out.size()
                        + " declares " + len + " bytes, " + b.remaining() + " are left");
            }
            byte[] e = new byte[(int) len];
            b.get(e);
            out.add(e);
        }
        return out;
    }

    /** {@link #bytesElements}' layout, for BYTES outputs sent as binary. */
    static void writeBytesElement(ByteArrayOutputStream binary, byte[] e) {
        binary.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(e.length).array());
        binary.writeBytes(e);
    }
}

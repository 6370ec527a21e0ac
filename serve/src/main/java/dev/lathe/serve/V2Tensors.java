package dev.lathe.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Open Inference Protocol (KServe v2) JSON tensors: datatype names, shapes, row-major data (nested or flat). */
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

    /** A request tensor checked against the model input: datatype, rank, fixed dims, element count. */
    static HostTensor parse(JsonNode in, TensorSpec spec) {
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
        long n = HostTensor.numel(shape);
        if (shape.length == 0 || shape[0] < 1) {
            throw new RequestException(400, "input '" + name + "' must have a leading (batch) dimension >= 1");
        }
        List<JsonNode> flat = new ArrayList<>();
        flatten(in.get("data"), flat, name);
        if (flat.size() != n) {
            throw new RequestException(400, "input '" + name + "' has " + flat.size() + " data elements, its shape "
                    + Arrays.toString(shape) + " needs " + n);
        }
        HostTensor t = HostTensor.allocate(spec.dtype(), shape);
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
                default -> throw new RequestException(400, "input '" + name + "': datatype " + datatype
                        + " is not served");
            }
        }
        return t;
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

    /** Writes {"name", "datatype", "shape", "data"} of an output. */
    static void write(JsonGenerator g, String name, HostTensor t) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("datatype", name(t.dtype()));
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data");
        ByteBuffer b = t.data();
        int n = (int) t.numel();
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
}

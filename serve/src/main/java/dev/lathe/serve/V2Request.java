package dev.lathe.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * A v2 infer request body for clients and tools: the tensors as JSON, or with the binary tensor data extension (the
 * JSON object names each input with its binary_data_size, the values follow it little-endian, the
 * Inference-Header-Content-Length header gives the JSON object's length, and every output is asked back as binary).
 *
 * @param jsonLength the JSON object's length in {@code body}; equal to the body's length without binary data
 */
public record V2Request(byte[] body, int jsonLength) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean binary() {
        return jsonLength < body.length;
    }

    /** The body as text (JSON requests only). */
    public String json() {
        if (binary()) {
            throw new IllegalStateException("a binary request has no text form");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A POST of this body with its content type and, for binary data, the header length. */
    public HttpRequest.Builder post(HttpRequest.Builder b) {
        b.header("Content-Type", binary() ? "application/octet-stream" : "application/json");
        if (binary()) {
            b.header(InferenceServer.HEADER_LENGTH, String.valueOf(jsonLength));
        }
        return b.POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /** One FP32 input of {@code shape}. */
    public static V2Request fp32(String input, long[] shape, float[] data, boolean binary) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode t = tensor(root, input, "FP32", shape);
        if (!binary) {
            ArrayNode d = t.putArray("data");
            for (float v : data) {
                d.add(v);
            }
            return of(root, null);
        }
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            b.putFloat(v);
        }
        return of(root, b.array());
    }

    /** One BYTES input of image files (base64 in JSON; raw, each after its 4-byte length, in binary). */
    public static V2Request images(String input, List<byte[]> files, boolean binary) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode t = tensor(root, input, "BYTES", new long[] {files.size()});
        if (!binary) {
            ArrayNode d = t.putArray("data");
            files.forEach(f -> d.add(Base64.getEncoder().encodeToString(f)));
            return of(root, null);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        files.forEach(f -> V2Tensors.writeBytesElement(b, f));
        return of(root, b.toByteArray());
    }

    private static ObjectNode tensor(ObjectNode root, String input, String datatype, long[] shape) {
        ObjectNode t = root.putArray("inputs").addObject();
        t.put("name", input);
        t.put("datatype", datatype);
        ArrayNode s = t.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        return t;
    }

    private static V2Request of(ObjectNode root, byte[] binary) {
        if (binary == null) {
            byte[] text = root.toString().getBytes(StandardCharsets.UTF_8);
            return new V2Request(text, text.length);
        }
        ((ObjectNode) root.get("inputs").get(0)).putObject("parameters").put("binary_data_size", binary.length);
        root.putObject("parameters").put("binary_data_output", true);
        byte[] head = root.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + binary.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(binary, 0, body, head.length, binary.length);
        return new V2Request(body, head.length);
    }
}

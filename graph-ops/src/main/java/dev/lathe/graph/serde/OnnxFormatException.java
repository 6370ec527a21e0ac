package dev.lathe.graph.serde;

/** A file that is not a readable ONNX model; the message names the file and the part that broke. */
public class OnnxFormatException extends RuntimeException {
    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

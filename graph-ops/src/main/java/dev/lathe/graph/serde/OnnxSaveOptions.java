package dev.lathe.graph.serde;

/**
 * How a model is written. Tensors go to one external data file (as torch.onnx writes them) when asked, or always
 * when their total exceeds {@code externalAbove} bytes, since a protobuf message cannot exceed 2 GB.
 */
public record OnnxSaveOptions(boolean externalData, String externalFileName, long externalMinTensorBytes,
                              long externalAlignment, long externalAbove) {

    public static final long PROTOBUF_LIMIT = (1L << 31) - (64L << 20);

    public static OnnxSaveOptions defaults() {
        return new OnnxSaveOptions(false, null, 1024, 4096, PROTOBUF_LIMIT);
    }

    public static OnnxSaveOptions external(String fileName) {
        return new OnnxSaveOptions(true, fileName, 1024, 4096, PROTOBUF_LIMIT);
    }
}

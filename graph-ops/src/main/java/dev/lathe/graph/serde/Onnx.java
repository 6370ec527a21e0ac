package dev.lathe.graph.serde;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.serde.proto.OnnxProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loading and saving {@code .onnx} files. */
public final class Onnx {
    private Onnx() {}

    /**
     * Loads a model. Tensor bytes alias a memory mapping of the file (or of its external data files); nothing is
     * copied into the heap.
     * @throws OnnxFormatException naming the file and the broken part when the file is not a valid ONNX model
     */
    public static Model load(Path file) throws IOException {
        ModelReader r = new ModelReader(file);
        try {
            return r.read();
        } finally {
            r.closeChannels();
        }
    }

    public static void save(Model model, Path file) throws IOException {
        save(model, file, OnnxSaveOptions.defaults());
    }

    public static void save(Model model, Path file, OnnxSaveOptions options) throws IOException {
        new ModelWriter(options).write(model, file);
    }

    /** Parses a self-contained serialized model ({@link #toBytes}'s output); {@code label} names it in errors. */
    public static Model fromBytes(byte[] bytes, String label) {
        try {
            return new ModelReader(Path.of(label)).read(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads one serialized TensorProto ({@code .pb}, the ONNX test data format: a model's inputs and expected outputs).
     * @throws OnnxFormatException naming the file when it is not a tensor
     */
    public static Tensor readTensor(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ModelReader r = new ModelReader(file);
        try {
            return r.readTensor(OnnxProto.TensorProto.parseFrom(bytes), "tensor file");
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(file + ": not a serialized ONNX TensorProto (" + e.getMessage() + ")");
        } finally {
            r.closeChannels();
        }
    }

    /** Serializes a self-contained model (no external data) to bytes, e.g. to hand to an in-memory session. */
    public static byte[] toBytes(Model model) {
        try {
            return new ModelWriter(new OnnxSaveOptions(false, null, Long.MAX_VALUE, 1, Long.MAX_VALUE))
                    .toProto(model).toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

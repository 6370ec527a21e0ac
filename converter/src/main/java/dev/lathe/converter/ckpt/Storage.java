package dev.lathe.converter.ckpt;

import dev.lathe.graph.ir.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One PyTorch storage (or one safetensors byte range): a flat run of {@code numel} elements of one dtype. The bytes
 * are a memory-mapped slice of the file where it stores them uncompressed. Several tensors may view one storage.
 */
public class Storage {
    private final String key;
    private final DataType dtype;
    private final long numel;
    private ByteBuffer bytes;

    Storage(String key, DataType dtype, long numel) {
        this.key = key;
        this.dtype = dtype;
        this.numel = numel;
    }

    /** The key of the storage inside the file ({@code data/<key>} in a zip, the storage key in a legacy stream). */
    public String key() {
        return key;
    }

    public DataType dtype() {
        return dtype;
    }

    public long numel() {
        return numel;
    }

    /** Attaches the bytes; they must hold at least {@code numel} elements. */
    void attach(ByteBuffer data, String where) throws CheckpointFormatException {
        long need = dtype.byteSize(numel);
        if (data.remaining() < need) {
            throw new CheckpointFormatException(where + ": storage " + key + " declares " + numel + " " + dtype
                    + " elements (" + need + " bytes) but holds only " + data.remaining() + " bytes");
        }
        this.bytes = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    boolean attached() {
        return bytes != null;
    }

    /** A little-endian view of the storage's bytes, positioned at 0. */
    ByteBuffer bytes() {
        if (bytes == null) {
            throw new IllegalStateException("storage " + key + " has no data attached");
        }
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}

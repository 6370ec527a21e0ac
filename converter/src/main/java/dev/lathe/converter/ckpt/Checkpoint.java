package dev.lathe.converter.ckpt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;

/**
 * A checkpoint file read into an object tree. Values are Java forms of what the file pickled: {@code Map} (dict,
 * OrderedDict; insertion order kept), {@code List} (list, torch.Size), {@code Object[]} (tuple), {@code Set},
 * {@code String}, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double}, {@code Boolean}, {@code byte[]},
 * null, {@link StoredTensor}, {@link Namespace}, {@link GlobalRef} and inert {@link PyObject} records. Tensor data
 * stays in the file's memory mapping; the file needs no closing.
 */
public final class Checkpoint {
    /** How the file was laid out. */
    public enum Format {
        PYTORCH_ZIP("PyTorch zip archive"),
        PYTORCH_LEGACY("PyTorch legacy pickle stream"),
        SAFETENSORS("safetensors");

        private final String description;

        Format(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final String file;
    private final Format format;
    private final Object root;
    private final Map<String, String> metadata;

    Checkpoint(String file, Format format, Object root, Map<String, String> metadata) {
        this.file = file;
        this.format = format;
        this.root = root;
        this.metadata = metadata;
    }

    /** Reads a checkpoint; classes outside the allowlist become inert {@link PyObject} records. */
    public static Checkpoint read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * Reads a checkpoint, detecting its layout from its first bytes.
     *
     * @param refuseUnknownGlobals fail on any pickled global outside the allowlist instead of recording it inertly
     */
    public static Checkpoint read(Path file, boolean refuseUnknownGlobals) throws IOException {
        String name = file.toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 512)).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                // fill the probe buffer
            }
            head.flip();
            if (head.remaining() < 8) {
                throw new CheckpointFormatException(name + ": " + size + " bytes, too short for any checkpoint format");
            }
            int magic = head.getInt(0);
            if (magic == 0x04034b50 || magic == 0x06054b50) {
                return TorchFileReader.readZip(name, channel, refuseUnknownGlobals);
            }
            if (head.remaining() >= 262 && new String(bytes(head, 257, 5), StandardCharsets.US_ASCII).equals("ustar")) {
                throw new CheckpointFormatException(name + ": a tar archive, PyTorch's pre-0.4 checkpoint layout, "
                        + "which is not read; load it in an old PyTorch and re-save it with torch.save");
            }
            if ((head.get(0) & 0xff) == 0x80) {
                return TorchFileReader.readLegacy(name, channel, refuseUnknownGlobals);
            }
            long headerSize = head.getLong(0);
            if (headerSize > 0 && headerSize <= size - 8 && head.get(8) == '{') {
                return SafetensorsReader.read(name, channel);
            }
            throw new CheckpointFormatException(name + ": not a PyTorch checkpoint (zip or pickle stream) nor a "
                    + "safetensors file");
        }
    }

    private static byte[] bytes(ByteBuffer b, int at, int n) {
        byte[] out = new byte[n];
        b.get(at, out);
        return out;
    }

    public String file() {
        return file;
    }

    public Format format() {
        return format;
    }

    /** The object the file holds (the dict of tensors for safetensors). */
    public Object root() {
        return root;
    }

    /** The safetensors {@code __metadata__} strings; empty for PyTorch files. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }
}

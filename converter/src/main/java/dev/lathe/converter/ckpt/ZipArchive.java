package dev.lathe.converter.ckpt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The entries of a zip file, read from its central directory (zip64 included). An entry's bytes are a memory-mapped
 * slice of the file when stored uncompressed, as torch.save writes them; deflated entries (a re-zipped archive) are
 * inflated into a direct buffer. java.util.zip does not expose an entry's data offset, which mapping needs, so the
 * directory is parsed here, every field bounds-checked against the file.
 */
final class ZipArchive {
    /** Deflate cannot compress better than about 1032:1; a header claiming more is corrupt or a bomb. */
    private static final long MAX_DEFLATE_RATIO = 1100;

    record Entry(String name, int method, long compressedSize, long size, long localHeaderOffset) {}

    private final String file;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** The whole file mapped once when it fits one buffer: one mmap instead of one per storage entry. */
    private final ByteBuffer whole;

    ZipArchive(String file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.fileSize = channel.size();
        this.whole = fileSize <= Integer.MAX_VALUE
                ? channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize).order(ByteOrder.LITTLE_ENDIAN) : null;
        readCentralDirectory();
    }

    Map<String, Entry> entries() {
        return entries;
    }

    private CheckpointFormatException corrupt(String what) {
        return new CheckpointFormatException(file + ": not a readable zip archive (" + what + ")");
    }

    private ByteBuffer map(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > fileSize) {
            throw corrupt("range [" + offset + ", " + (offset + length) + ") lies outside the " + fileSize
                    + "-byte file; the file may be truncated");
        }
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(file + ": zip entry of " + length + " bytes exceeds 2 GiB");
        }
        if (whole != null) {
            return whole.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void readCentralDirectory() throws IOException {
        int tailLength = (int) Math.min(fileSize, 22 + 65535);
        ByteBuffer tail = map(fileSize - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw corrupt("no end-of-central-directory record; the file may be truncated");
        }
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            long locatorAt = fileSize - tailLength + eocd - 20;
            ByteBuffer locator = map(locatorAt, 20);
            if (locator.getInt(0) != 0x07064b50) {
                throw corrupt("zip64 locator missing");
            }
            ByteBuffer eocd64 = map(locator.getLong(8), 56);
            if (eocd64.getInt(0) != 0x06064b50) {
                throw corrupt("zip64 end record missing");
            }
            count = eocd64.getLong(32);
            cdSize = eocd64.getLong(40);
            cdOffset = eocd64.getLong(48);
        }
        ByteBuffer cd = map(cdOffset, cdSize);
        int p = 0;
        for (long n = 0; n < count; n++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != 0x02014b50) {
                throw corrupt("central directory entry " + n + " is damaged");
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw corrupt("central directory entry " + n + " runs past the directory");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // zip64 extra field: the 64-bit values replace exactly those fields that hold 0xffffffff, in order.
            int e = p + 46 + nameLen;
            int end = e + extraLen;
            while (e + 4 <= end) {
                int id = cd.getShort(e) & 0xffff;
                int len = cd.getShort(e + 2) & 0xffff;
                if (e + 4 + len > end) {
                    throw corrupt("extra field of " + name + " runs past its entry");
                }
                if (id == 0x0001) {
                    int q = e + 4;
                    if (usize == 0xffffffffL && q + 8 <= e + 4 + len) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == 0xffffffffL && q + 8 <= e + 4 + len) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= e + 4 + len) {
                        local = cd.getLong(q);
                    }
                }
                e += 4 + len;
            }
            entries.put(name, new Entry(name, method, csize, usize, local));
            p += 46 + nameLen + extraLen + commentLen;
        }
    }

    /** The entry's uncompressed bytes: a mapped slice when stored, an inflated direct buffer when deflated. */
    ByteBuffer read(Entry entry) throws IOException {
        ByteBuffer header = map(entry.localHeaderOffset(), 30);
        if (header.getInt(0) != 0x04034b50) {
            throw corrupt("local header of " + entry.name() + " is missing");
        }
        long dataStart = entry.localHeaderOffset() + 30 + (header.getShort(26) & 0xffff)
                + (header.getShort(28) & 0xffff);
        if (entry.method() == 0) {
            if (entry.compressedSize() != entry.size()) {
                throw corrupt("stored entry " + entry.name() + " has different compressed and plain sizes");
            }
            return map(dataStart, entry.size());
        }
        if (entry.method() != 8) {
            throw new CheckpointFormatException(file + ": zip entry " + entry.name() + " uses compression method "
                    + entry.method() + "; only stored and deflated entries are read");
        }
        ByteBuffer compressed = map(dataStart, entry.compressedSize());
        if (entry.size() > Integer.MAX_VALUE || entry.size() > MAX_DEFLATE_RATIO * (entry.compressedSize() + 1)) {
            throw corrupt("deflated entry " + entry.name() + " claims " + entry.size() + " bytes from "
                    + entry.compressedSize());
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) entry.size()).order(ByteOrder.LITTLE_ENDIAN);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            while (out.hasRemaining() && !inflater.finished()) {
                if (inflater.inflate(out) == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
        } catch (DataFormatException ex) {
            throw corrupt("deflated entry " + entry.name() + " is damaged: " + ex.getMessage());
        } finally {
            inflater.end();
        }
        if (out.hasRemaining()) {
            throw corrupt("deflated entry " + entry.name() + " inflates to " + out.position() + " bytes, its header says "
                    + entry.size());
        }
        return out.flip();
    }
}

package dev.lathe.converter.ckpt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds hostile inputs by hand: zip archives with chosen entries and pickles opcode by opcode. */
final class CraftedFiles {
    private CraftedFiles() {}

    /** A zip with every entry STORED, as torch.save writes them. */
    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static Map<String, byte[]> unzip(java.nio.file.Path zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                out.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }

    /** A pickle written opcode by opcode. */
    static final class Pickle {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Pickle() {
            b.write(0x80);
            b.write(2);
        }

        Pickle op(int opcode) {
            b.write(opcode);
            return this;
        }

        Pickle global(String module, String name) {
            b.write('c');
            raw(module + "\n" + name + "\n");
            return this;
        }

        Pickle str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            b.write('X');
            int n = u.length;
            b.write(n & 0xff);
            b.write((n >> 8) & 0xff);
            b.write((n >> 16) & 0xff);
            b.write((n >> 24) & 0xff);
            b.writeBytes(u);
            return this;
        }

        Pickle int1(int v) {
            b.write('K');
            b.write(v);
            return this;
        }

        Pickle raw(String s) {
            b.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        Pickle bytes(byte... raw) {
            b.writeBytes(raw);
            return this;
        }

        /** ('storage', torch.FloatStorage, key, 'cpu', numel) as a persistent id. */
        Pickle floatStorage(String key, int numel) {
            op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").int1(numel).op('t');
            return op('Q');
        }

        /** _rebuild_tensor_v2(storage, offset, (size,), (1,), False, OrderedDict()) of a float storage. */
        Pickle tensor1d(String key, int numel, int offset, int size) {
            global("torch._utils", "_rebuild_tensor_v2").op('(').floatStorage(key, numel).int1(offset)
                    .int1(size).op(0x85).int1(1).op(0x85).op(0x89).global("collections", "OrderedDict").op(')')
                    .op('R').op('t');
            return op('R');
        }

        byte[] stop() {
            b.write('.');
            return b.toByteArray();
        }
    }

    static byte[] floats(int n) {
        return new byte[4 * n];
    }
}

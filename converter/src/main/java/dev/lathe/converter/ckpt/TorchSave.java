package dev.lathe.converter.ckpt;

import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a flat dict as {@code torch.save} does (PyTorch 1.6+ zip layout): {@code <root>/data.pkl}, a protocol-2
 * pickle whose tensors are {@code torch._utils._rebuild_tensor_v2} calls on persistent storage ids, one raw
 * little-endian storage per tensor under {@code <root>/data/<key>}, and {@code <root>/version}. Entries are stored
 * (not deflated) with each storage starting on a 64-byte boundary, as PyTorch aligns them. Values may be strings,
 * doubles, longs, lists of doubles and contiguous tensors; that covers result tables such as AnchorNet's
 * {@code {'setup', 'thresholds', 'predictions'}}. {@code torch.load} reads the file with no Lathe code present.
 */
public final class TorchSave {
    private static final Map<DataType, String> STORAGES = Map.of(DataType.FLOAT, "FloatStorage", DataType.DOUBLE,
            "DoubleStorage", DataType.INT64, "LongStorage", DataType.INT32, "IntStorage", DataType.BOOL,
            "BoolStorage", DataType.UINT8, "ByteStorage", DataType.INT8, "CharStorage", DataType.FLOAT16,
            "HalfStorage");
    private static final int ALIGN = 64;

    private TorchSave() {}

    /** Writes {@code dict} to {@code file} atomically; {@code root} names the archive's top folder (the file's stem). */
    public static void write(Path file, Map<String, ?> dict) throws IOException {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String root = (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^A-Za-z0-9_.-]", "_");
        List<Tensor> storages = new ArrayList<>();
        byte[] pickle = pickle(dict, storages);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(root + "/data.pkl", pickle);
        for (int k = 0; k < storages.size(); k++) {
            ByteBuffer b = storages.get(k).data();
            byte[] raw = new byte[b.remaining()];
            b.get(raw);
            entries.put(root + "/data/" + k, raw);
        }
        entries.put(root + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                zip(out, entries);
            }
        });
    }

    private static void zip(OutputStream raw, Map<String, byte[]> entries) throws IOException {
        Counting counted = new Counting(raw);
        try (ZipOutputStream zip = new ZipOutputStream(counted)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                byte[] data = e.getValue();
                byte[] nameBytes = e.getKey().getBytes(StandardCharsets.UTF_8);
                ZipEntry z = new ZipEntry(e.getKey());
                z.setMethod(ZipEntry.STORED);
                z.setSize(data.length);
                z.setCompressedSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                z.setCrc(crc.getValue());
                z.setTimeLocal(LocalDateTime.of(2000, 1, 1, 0, 0)); // fixed: the same table gives the same bytes
                // local header is 30 bytes + name + extra; pad the extra (id "FB", as PyTorch) so data is aligned
                long start = counted.count + 30 + nameBytes.length + 4;
                int pad = (int) ((ALIGN - start % ALIGN) % ALIGN);
                byte[] extra = new byte[4 + pad];
                extra[0] = 'F';
                extra[1] = 'B';
                extra[2] = (byte) pad;
                extra[3] = (byte) (pad >> 8);
                z.setExtra(extra);
                zip.putNextEntry(z);
                zip.write(data);
                zip.closeEntry();
            }
        }
    }

    private static byte[] pickle(Map<String, ?> dict, List<Tensor> storages) {
        Pickle p = new Pickle();
        p.op(0x80).op(2); // PROTO 2
        p.op('}'); // EMPTY_DICT
        p.op('(');
        for (Map.Entry<String, ?> e : dict.entrySet()) {
            p.string(e.getKey());
            Object v = e.getValue();
            if (v instanceof String s) {
                p.string(s);
            } else if (v instanceof Double d) {
                p.op('G').float64(d);
            } else if (v instanceof Long l) {
                p.integer(l);
            } else if (v instanceof List<?> list) {
                p.op(']').op('(');
                for (Object o : list) {
                    p.op('G').float64(((Number) o).doubleValue());
                }
                p.op('e'); // APPENDS
            } else if (v instanceof Tensor t) {
                tensor(p, t, storages);
            } else {
                throw new IllegalArgumentException("torch.save writer: value of '" + e.getKey() + "' is a "
                        + (v == null ? "null" : v.getClass().getSimpleName()) + "; strings, numbers, lists of"
                        + " numbers and tensors are written");
            }
        }
        p.op('u'); // SETITEMS
        p.op('.');
        return p.bytes();
    }

    private static void tensor(Pickle p, Tensor t, List<Tensor> storages) {
        String storage = STORAGES.get(t.dtype());
        if (storage == null) {
            throw new IllegalArgumentException("torch.save writer: no storage class for " + t.dtype());
        }
        String key = Integer.toString(storages.size());
        storages.add(t);
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.op('(');
        p.op('(').string("storage").global("torch", storage).string(key).string("cpu").integer(t.numel()).op('t');
        p.op('Q'); // BINPERSID
        p.integer(0); // storage offset
        long[] dims = t.dims();
        p.op('(');
        for (long d : dims) {
            p.integer(d);
        }
        p.op('t');
        p.op('(');
        long stride = 1;
        long[] strides = new long[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= dims[i];
        }
        for (long s : strides) {
            p.integer(s);
        }
        p.op('t');
        p.op(0x89); // NEWFALSE: requires_grad
        p.global("collections", "OrderedDict").op(')').op('R'); // backward hooks: OrderedDict()
        p.op('t').op('R');
    }

    /** The few protocol-2 opcodes a table needs. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int code) {
            out.write(code);
            return this;
        }

        Pickle string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            int4(b.length);
            out.writeBytes(b);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle integer(long v) {
            if (v >= 0 && v < 256) {
                op('K').op((int) v);
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                op('J');
                int4((int) v);
            } else {
                op(0x8a).op(8); // LONG1, 8 bytes little-endian two's complement
                for (int i = 0; i < 8; i++) {
                    out.write((int) (v >>> (8 * i)));
                }
            }
            return this;
        }

        Pickle float64(double d) { // BINFLOAT is big-endian
            long bits = Double.doubleToLongBits(d);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (8 * i)));
            }
            return this;
        }

        private void int4(int v) {
            for (int i = 0; i < 4; i++) {
                out.write(v >>> (8 * i));
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Counts bytes written so each entry's data offset is known before its header is written. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}

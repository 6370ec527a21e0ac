package dev.lathe.runtime.io;

import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.DataType;
import dev.lathe.runtime.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * NumPy's {@code .npy} format (format versions 1.0, 2.0 and 3.0): C-order arrays of float32, float16, float64, int64,
 * int32, int8, uint8 and bool, either byte order. Files are read into a {@link HostTensor} (byte-swapped if they are
 * big-endian) and written atomically in version 1.0 (2.0 when the header is too long for 1.0), little-endian, with
 * the header padded so the data starts on a 64-byte boundary as NumPy does.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** Magic (6), version (2) and header length (2 in format 1.0, 4 in 2.0 and 3.0). */
    private static final int PREAMBLE_V1 = 10;
    private static final int PREAMBLE_V2 = 12;

    private Npy() {}

    /**
     * Reads a file straight into the tensor's memory (no second copy of the data); errors name the file and what in
     * it is wrong.
     */
    public static HostTensor read(Path file) throws IOException {
        String source = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate((int) Math.min(size, PREAMBLE_V2)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre);
            pre.flip();
            Preamble p = Preamble.parse(pre, source);
            if (p.dataOffset() > size) {
                throw new NpyFormatException(source + ": header says " + p.headerLength() + " bytes, file has only "
                        + (size - p.dataOffset() + p.headerLength()) + " after the preamble");
            }
            ByteBuffer h = ByteBuffer.allocate(p.headerLength());
            ch.position(p.dataOffset() - p.headerLength());
            readFully(ch, h);
            Header header = Header.parse(new String(h.array(), p.charset()), source);
            long need = HostTensor.byteSize(header.dtype, header.shape);
            if (size - p.dataOffset() < need) {
                throw new NpyFormatException(source + ": " + header.descr + java.util.Arrays.toString(header.shape)
                        + " needs " + need + " data bytes, file has " + (size - p.dataOffset()) + " (truncated?)");
            }
            HostTensor t = HostTensor.allocate(header.dtype, header.shape);
            ByteBuffer dst = t.data();
            ch.position(p.dataOffset());
            readFully(ch, dst);
            finish(t, header, source);
            return t;
        }
    }

    /** Parses a whole {@code .npy} image held in memory; {@code source} names it in errors. */
    public static HostTensor parse(ByteBuffer bytes, String source) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Preamble p = Preamble.parse(b.duplicate().order(ByteOrder.LITTLE_ENDIAN), source);
        if (p.dataOffset() > b.remaining()) {
            throw new NpyFormatException(source + ": header says " + p.headerLength() + " bytes, file has only "
                    + (b.remaining() - p.dataOffset() + p.headerLength()) + " after the preamble");
        }
        byte[] h = new byte[p.headerLength()];
        b.position(b.position() + p.dataOffset() - p.headerLength());
        b.get(h);
        Header header = Header.parse(new String(h, p.charset()), source);
        long need = HostTensor.byteSize(header.dtype, header.shape);
        if (b.remaining() < need) {
            throw new NpyFormatException(source + ": " + header.descr + java.util.Arrays.toString(header.shape)
                    + " needs " + need + " data bytes, file has " + b.remaining() + " (truncated?)");
        }
        HostTensor t = HostTensor.allocate(header.dtype, header.shape);
        t.data().put(b.slice().limit((int) need));
        finish(t, header, source);
        return t;
    }

    /** Swaps a big-endian file's elements into native order in place and checks bool values. */
    private static void finish(HostTensor t, Header header, String source) {
        ByteBuffer d = t.data();
        int n = d.capacity();
        int width = header.dtype.bits() / 8;
        ByteOrder fileOrder = header.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (width > 1 && fileOrder != ByteOrder.nativeOrder()) {
            for (int i = 0; i < n; i += width) {
                for (int k = 0; k < width / 2; k++) {
                    byte lo = d.get(i + k);
                    d.put(i + k, d.get(i + width - 1 - k));
                    d.put(i + width - 1 - k, lo);
                }
            }
        }
        if (header.dtype == DataType.BOOL) {
            for (int i = 0; i < n; i++) {
                byte v = d.get(i);
                if (v != 0 && v != 1) {
                    throw new NpyFormatException(source + ": bool element " + i + " is " + v + ", expected 0 or 1");
                }
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (ch.read(dst) < 0) {
                break;
            }
        }
    }

    /** Magic, version and header length: where the header text and the data start. */
    private record Preamble(int headerLength, int dataOffset, java.nio.charset.Charset charset) {
        static Preamble parse(ByteBuffer b, String source) {
            if (b.remaining() < 10) {
                throw new NpyFormatException(source + ": not a .npy file (only " + b.remaining() + " bytes)");
            }
            for (byte m : MAGIC) {
                if (b.get() != m) {
                    throw new NpyFormatException(source + ": not a .npy file (missing the \\x93NUMPY magic)");
                }
            }
            int major = b.get() & 0xff;
            int minor = b.get() & 0xff;
            if (major == 1) {
                int len = b.getShort() & 0xffff;
                return new Preamble(len, PREAMBLE_V1 + len, StandardCharsets.ISO_8859_1);
            }
            if (major == 2 || major == 3) {
                if (b.remaining() < 4) {
                    throw new NpyFormatException(source + ": truncated header");
                }
                long len = b.getInt() & 0xffffffffL;
                if (len > Integer.MAX_VALUE - PREAMBLE_V2) {
                    throw new NpyFormatException(source + ": header length " + len + " is not plausible");
                }
                return new Preamble((int) len, PREAMBLE_V2 + (int) len,
                        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            }
            throw new NpyFormatException(source + ": .npy format version " + major + "." + minor
                    + " is not supported (1.0, 2.0 and 3.0 are)");
        }
    }

    /**
     * Writes a tensor atomically: a temporary file in the same folder, then a rename over {@code file} ({@link AtomicFiles}). On a
     * little-endian machine the tensor's memory is written as it is, after the header, without a staging copy.
     */
    public static void write(Path file, HostTensor t) throws IOException {
        ByteBuffer[] image = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? new ByteBuffer[] {header(t), t.data()}
                : new ByteBuffer[] {toBytes(t)};
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
        AtomicFiles.write(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                long left = 0;
                for (ByteBuffer b : image) {
                    left += b.remaining();
                }
                while (left > 0) {
                    left -= ch.write(image);
                }
                ch.force(false);
            }
        });
    }

    /** The complete file image of a tensor. */
    public static ByteBuffer toBytes(HostTensor t) {
        ByteBuffer header = header(t);
        long dataBytes = t.byteSize();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(header.remaining() + dataBytes));
        out.put(header);
        ByteBuffer src = t.data();
        int width = t.dtype().bits() / 8;
        if (width <= 1 || ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            out.put(src);
        } else {
            for (int i = 0; i < dataBytes; i += width) {
                for (int k = 0; k < width; k++) {
                    out.put(src.get(i + width - 1 - k));
                }
            }
        }
        return out.flip();
    }

    /** Preamble and header dictionary, padded so the data starts on a 64-byte boundary. */
    private static ByteBuffer header(HostTensor t) {
        StringBuilder shape = new StringBuilder("(");
        long[] dims = t.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(dims[i]).append(dims.length == 1 ? "," : (i + 1 < dims.length ? ", " : ""));
        }
        shape.append(')');
        String dict = "{'descr': '" + descr(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int total = align(prefix + dict.length() + 1);
        if (total - prefix > 0xffff) {
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            total = align(prefix + dict.length() + 1);
        }
        int headerLen = total - prefix;
        String padded = dict + " ".repeat(headerLen - dict.length() - 1) + "\n";
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) headerLen);
        } else {
            out.putInt(headerLen);
        }
        out.put(padded.getBytes(StandardCharsets.ISO_8859_1));
        return out.flip();
    }

    private static int align(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** The little-endian NumPy type string for a Lathe element type. */
    static String descr(DataType t) {
        if (t == DataType.FLOAT) {
            return "<f4";
        } else if (t == DataType.FLOAT16) {
            return "<f2";
        } else if (t == DataType.DOUBLE) {
            return "<f8";
        } else if (t == DataType.INT64) {
            return "<i8";
        } else if (t == DataType.INT32) {
            return "<i4";
        } else if (t == DataType.INT8) {
            return "|i1";
        } else if (t == DataType.UINT8) {
            return "|u1";
        } else if (t == DataType.BOOL) {
            return "|b1";
        }
        throw new IllegalArgumentException(".npy writing does not support " + t);
    }

    /** The parsed header dictionary. */
    private record Header(String descr, DataType dtype, boolean bigEndian, long[] shape) {

        static Header parse(String text, String source) {
            String h = text.trim();
            if (!h.startsWith("{") || !h.endsWith("}")) {
                throw new NpyFormatException(source + ": header is not a Python dict: " + abbreviate(h));
            }
            String descr = stringValue(h, "descr", source);
            String fortran = rawValue(h, "fortran_order", source);
            if (fortran.startsWith("True")) {
                throw new NpyFormatException(source + ": array is stored in Fortran (column-major) order; save it in"
                        + " C order (np.save(path, np.ascontiguousarray(a))) and try again");
            } else if (!fortran.startsWith("False")) {
                throw new NpyFormatException(source + ": fortran_order is '" + abbreviate(fortran)
                        + "', expected True or False");
            }
            String shapeText = rawValue(h, "shape", source);
            if (!shapeText.startsWith("(")) {
                throw new NpyFormatException(source + ": shape is not a tuple: " + abbreviate(shapeText));
            }
            int close = shapeText.indexOf(')');
            if (close < 0) {
                throw new NpyFormatException(source + ": unterminated shape tuple: " + abbreviate(shapeText));
            }
            List<Long> dims = new ArrayList<>();
            for (String part : shapeText.substring(1, close).split(",")) {
                String p = part.trim();
                if (p.endsWith("L")) {
                    p = p.substring(0, p.length() - 1);
                }
                if (!p.isEmpty()) {
                    try {
                        dims.add(Long.parseLong(p));
                    } catch (NumberFormatException e) {
                        throw new NpyFormatException(source + ": shape entry '" + p + "' is not an integer");
                    }
                }
            }
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            char order = descr.isEmpty() ? '?' : descr.charAt(0);
            String code = descr.length() > 1 ? descr.substring(1) : descr;
            boolean big = order == '>' || (order == '=' && ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN);
            if (order != '<' && order != '>' && order != '|' && order != '=') {
                throw new NpyFormatException(source + ": dtype '" + descr + "' has no byte-order mark");
            }
            DataType dtype;
            switch (code) {
                case "f4" -> dtype = DataType.FLOAT;
                case "f2" -> dtype = DataType.FLOAT16;
                case "f8" -> dtype = DataType.DOUBLE;
                case "i8" -> dtype = DataType.INT64;
                case "i4" -> dtype = DataType.INT32;
                case "i1" -> dtype = DataType.INT8;
                case "u1" -> dtype = DataType.UINT8;
                case "b1" -> dtype = DataType.BOOL;
                default -> throw new NpyFormatException(source + ": dtype '" + descr + "' is not supported (float32,"
                        + " float16, float64, int64, int32, int8, uint8 and bool are)");
            }
            return new Header(descr, dtype, big, shape);
        }

        private static String rawValue(String h, String key, String source) {
            int k = h.indexOf("'" + key + "'");
            if (k < 0) {
                k = h.indexOf("\"" + key + "\"");
            }
            if (k < 0) {
                throw new NpyFormatException(source + ": header has no '" + key + "' key: " + abbreviate(h));
            }
            int colon = h.indexOf(':', k);
            if (colon < 0) {
                throw new NpyFormatException(source + ": header key '" + key + "' has no value");
            }
            return h.substring(colon + 1).trim();
        }

        private static String stringValue(String h, String key, String source) {
            String v = rawValue(h, key, source);
            if (v.isEmpty() || (v.charAt(0) != '\'' && v.charAt(0) != '"')) {
                throw new NpyFormatException(source + ": '" + key + "' is not a string (structured dtypes are not"
                        + " supported): " + abbreviate(v));
            }
            int end = v.indexOf(v.charAt(0), 1);
            if (end < 0) {
                throw new NpyFormatException(source + ": unterminated string for '" + key + "'");
            }
            return v.substring(1, end);
        }

        private static String abbreviate(String s) {
            return s.length() > 80 ? s.substring(0, 77) + "..." : s;
        }
    }
}

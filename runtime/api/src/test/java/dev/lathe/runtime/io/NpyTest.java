package dev.lathe.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Half;
import dev.lathe.runtime.HostTensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads files written by NumPy 2.x ({@code generate_npy_fixtures.py}) and writes files NumPy would write. */
class NpyTest {
    private static final long[] SHAPE = {2, 3};

    static Path fixture(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsEveryDtypeWithNumpysValues() throws IOException {
        HostTensor f4 = Npy.read(fixture("f4.npy"));
        assertEquals(DataType.FLOAT, f4.dtype());
        assertArrayEquals(SHAPE, f4.shape());
        assertArrayEquals(new float[] {-1f, -0.5f, 0f, 0.5f, 1f, 1.5f}, f4.toFloats());

        HostTensor f2 = Npy.read(fixture("f2.npy"));
        assertEquals(DataType.FLOAT16, f2.dtype());
        for (int i = 0; i < 6; i++) {
            assertEquals(Half.fromFloat(i * 0.25f - 0.5f), f2.data().getShort(2 * i));
        }

        HostTensor f8 = Npy.read(fixture("f8.npy"));
        assertEquals(DataType.DOUBLE, f8.dtype());
        for (int i = 0; i < 6; i++) {
            assertEquals(i / 3.0, f8.data().getDouble(8 * i));
        }

        HostTensor i8 = Npy.read(fixture("i8.npy"));
        assertEquals(DataType.INT64, i8.dtype());
        HostTensor i4 = Npy.read(fixture("i4.npy"));
        assertEquals(DataType.INT32, i4.dtype());
        HostTensor i1 = Npy.read(fixture("i1.npy"));
        assertEquals(DataType.INT8, i1.dtype());
        HostTensor u1 = Npy.read(fixture("u1.npy"));
        assertEquals(DataType.UINT8, u1.dtype());
        HostTensor b1 = Npy.read(fixture("b1.npy"));
        assertEquals(DataType.BOOL, b1.dtype());
        for (int i = 0; i < 6; i++) {
            assertEquals(i * 1_000_000_000_000L - 3, i8.toLongs()[i]);
            assertEquals(i * 70000L - 5, i4.toLongs()[i]);
            assertEquals(i * 50L - 128, i1.toLongs()[i]);
            assertEquals(i * 50L, u1.toLongs()[i]);
            assertEquals(i % 2, b1.toLongs()[i]);
        }
    }

    @Test
    void readsScalarsEmptyArraysAndHigherRanks() throws IOException {
        HostTensor s = Npy.read(fixture("scalar_f4.npy"));
        assertArrayEquals(new long[0], s.shape());
        assertArrayEquals(new float[] {2.5f}, s.toFloats());

        HostTensor e = Npy.read(fixture("empty_f4.npy"));
        assertArrayEquals(new long[] {0, 3}, e.shape());
        assertEquals(0, e.numel());

        HostTensor r4 = Npy.read(fixture("rank4_f4.npy"));
        assertArrayEquals(new long[] {2, 3, 2, 2}, r4.shape());
        assertEquals(23f, r4.toFloats()[23]);
    }

    @Test
    void bigEndianAndVersion2FilesReadAsTheSameArray() throws IOException {
        HostTensor ref = Npy.read(fixture("f4.npy"));
        assertTrue(ref.contentEquals(Npy.read(fixture("big_endian_f4.npy"))));
        assertTrue(ref.contentEquals(Npy.read(fixture("v2_f4.npy"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4.npy", "f2.npy", "f8.npy", "i8.npy", "i4.npy", "i1.npy", "u1.npy", "b1.npy",
            "scalar_f4.npy", "empty_f4.npy", "rank4_f4.npy"})
    void writesByteForByteWhatNumpyWrites(String name, @TempDir Path dir) throws IOException {
        byte[] numpy = Files.readAllBytes(fixture(name));
        HostTensor t = Npy.read(fixture(name));
        ByteBuffer ours = Npy.toBytes(t);
        byte[] bytes = new byte[ours.remaining()];
        ours.get(bytes);
        assertArrayEquals(numpy, bytes, name + " image");
        Npy.write(dir.resolve(name), t);
        assertArrayEquals(numpy, Files.readAllBytes(dir.resolve(name)), name + " file");
        assertTrue(t.contentEquals(Npy.parse(ByteBuffer.wrap(numpy), name)), name + " parsed in memory");
    }

    @Test
    void refusesFortranOrderNamingTheFileAndTheFix() {
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(fixture("fortran_f4.npy")));
        assertTrue(e.getMessage().contains("fortran_f4.npy"), e.getMessage());
        assertTrue(e.getMessage().contains("Fortran"), e.getMessage());
        assertTrue(e.getMessage().contains("ascontiguousarray"), e.getMessage());
    }

    @Test
    void refusesTruncatedAndForeignFiles(@TempDir Path dir) throws IOException {
        byte[] full = Files.readAllBytes(fixture("f4.npy"));
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length - 4));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(cut));
        assertTrue(e.getMessage().contains("cut.npy") && e.getMessage().contains("truncated"), e.getMessage());

        Path text = dir.resolve("text.npy");
        Files.writeString(text, "hello, this is not numpy");
        e = assertThrows(NpyFormatException.class, () -> Npy.read(text));
        assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());
    }

    @Test
    void refusesUnsupportedDtypes() {
        String header = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).put(new byte[8]).flip();
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.parse(b, "complex.npy"));
        assertTrue(e.getMessage().contains("'<c8' is not supported"), e.getMessage());
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("sub").resolve("out.npy");
        HostTensor t = HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4);
        Npy.write(target, t);
        HostTensor replacement = HostTensor.ofLongs(new long[] {3}, 7, 8, 9);
        Npy.write(target, replacement);
        assertTrue(replacement.contentEquals(Npy.read(target)));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(1, files.count(), "only out.npy remains");
        }
    }
}

package dev.lathe.converter.ckpt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every hostile or broken input ends in a CheckpointFormatException naming the problem; none runs anything. */
@Timeout(30)
class MalformedCheckpointTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private String failure(Path p) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> {
            Checkpoint c = Checkpoint.read(p);
            CheckpointInventory.of(c);
        });
        return e.getMessage();
    }

    private static Map<String, byte[]> archive(byte[] pickle, Map<String, byte[]> storages) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
        entries.put("archive/version", "3\n".getBytes());
        return entries;
    }

    @Test
    void truncatedZipSaysSo() throws Exception {
        byte[] whole = Files.readAllBytes(Fixtures.file("every_dtype_zip.pt"));
        for (int keep : new int[] {whole.length / 2, whole.length - 30, 100}) {
            String m = failure(write("cut" + keep + ".pt", Arrays.copyOf(whole, keep)));
            assertTrue(m.contains("truncated"), keep + ": " + m);
        }
    }

    @Test
    void truncatedLegacyStreamSaysSo() throws Exception {
        byte[] whole = Files.readAllBytes(Fixtures.file("every_dtype_legacy.pt"));
        String m = failure(write("cut.pt", Arrays.copyOf(whole, whole.length - 40)));
        assertTrue(m.contains("truncated"), m);
        String m2 = failure(write("cut2.pt", Arrays.copyOf(whole, 200)));
        assertTrue(m2.contains("malformed pickle"), m2);
    }

    @Test
    void badPickleOpcodeIsNamed() throws Exception {
        byte[] pkl = new CraftedFiles.Pickle().op(0xff).stop();
        String m = failure(write("bad.pt", CraftedFiles.zip(archive(pkl, Map.of()))));
        assertTrue(m.contains("archive/data.pkl") && m.contains("invalid pickle opcode: 255"), m);
    }

    @Test
    void stackUnderflowAndWrongTypesAreMalformedNotCrashes() throws Exception {
        for (byte[] pkl : List.of(new CraftedFiles.Pickle().op('a').stop(), new CraftedFiles.Pickle().op('s').stop(),
                new CraftedFiles.Pickle().int1(3).op(')').op('R').stop(),
                new CraftedFiles.Pickle().op('}').op('b').stop())) {
            String m = failure(write("u.pt", CraftedFiles.zip(archive(pkl, Map.of()))));
            assertTrue(m.contains("archive/data.pkl"), m);
        }
    }

    @Test
    void missingStorageEntryIsNamed() throws Exception {
        byte[] pkl = new CraftedFiles.Pickle().tensor1d("0", 4, 0, 4).stop();
        String m = failure(write("missing.pt", CraftedFiles.zip(archive(pkl, Map.of()))));
        assertTrue(m.contains("storage 0 has no entry archive/data/0"), m);
    }

    @Test
    void storageShorterThanItsHeaderOrTheTensorIsRefused() throws Exception {
        byte[] pkl = new CraftedFiles.Pickle().tensor1d("0", 4, 0, 4).stop();
        String m = failure(write("short.pt", CraftedFiles.zip(archive(pkl, Map.of("0", CraftedFiles.floats(3))))));
        assertTrue(m.contains("storage 0 declares 4 FLOAT elements (16 bytes) but holds only 12 bytes"), m);
        byte[] beyond = new CraftedFiles.Pickle().tensor1d("0", 4, 2, 10).stop();
        String m2 = failure(write("view.pt", CraftedFiles.zip(archive(beyond, Map.of("0", CraftedFiles.floats(4))))));
        assertTrue(m2.contains("reaches element 11 but storage 0 holds 4 elements"), m2);
    }

    @Test
    void storageKeysNeverLeaveTheArchive() throws Exception {
        byte[] pkl = new CraftedFiles.Pickle().tensor1d("../../../../etc/passwd", 4, 0, 4).stop();
        String m = failure(write("escape.pt", CraftedFiles.zip(archive(pkl, Map.of()))));
        assertTrue(m.contains("has no entry archive/data/../../../../etc/passwd in the archive"), m);
    }

    @Test
    void unknownGlobalsAreInertRecordsAndNeverRun() throws Exception {
        Path marker = dir.resolve("pwned");
        byte[] pkl = new CraftedFiles.Pickle().op('(')
                .global("os", "system").str("touch " + marker).op(0x85).op('R')
                .global("builtins", "eval").str("__import__('os').system('touch " + marker + "')").op(0x85).op('R')
                .global("decimal", "Decimal").str("1.5").op(0x85).op('R')
                .global("subprocess", "Popen").op(')').op(0x81)
                .op('l').stop();
        Path file = write("evil.pt", CraftedFiles.zip(archive(pkl, Map.of())));
        List<?> root = (List<?>) Checkpoint.read(file).root();
        assertEquals(List.of("os.system", "builtins.eval", "decimal.Decimal", "subprocess.Popen"),
                root.stream().map(o -> ((PyObject) o).type()).toList());
        assertEquals(List.of("touch " + marker), ((PyObject) root.get(0)).args());
        assertFalse(Files.exists(marker));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.read(file, true));
        assertTrue(e.getMessage().contains("refused global os.system"), e.getMessage());
    }

    @Test
    void deepNestingIsAClearErrorNotAStackOverflow() throws Exception {
        CraftedFiles.Pickle lists = new CraftedFiles.Pickle();
        for (int i = 0; i < 10_000; i++) {
            lists.op(']');
        }
        for (int i = 0; i < 9_999; i++) {
            lists.op('a');
        }
        String m = failure(write("deep.pt", CraftedFiles.zip(archive(lists.stop(), Map.of()))));
        assertTrue(m.contains("nest deeper than 200 levels"), m);
        CraftedFiles.Pickle dicts = new CraftedFiles.Pickle();
        for (int i = 0; i < 10_000; i++) {
            dicts.op('}').str("k");
        }
        dicts.op('}');
        for (int i = 0; i < 10_000; i++) {
            dicts.op('s');
        }
        String m2 = failure(write("deepdict.pt", CraftedFiles.zip(archive(dicts.stop(), Map.of()))));
        assertTrue(m2.contains("nest deeper than 200 levels at k/k/k"), m2);
    }

    @Test
    void selfReferenceEndsAndUnhashableKeysAreRefused() throws Exception {
        byte[] cycle = new CraftedFiles.Pickle().op(']').op('q').op(0).op('h').op(0).op('a').stop();
        Checkpoint c = Checkpoint.read(write("cycle.pt", CraftedFiles.zip(archive(cycle, Map.of()))));
        assertTrue(CheckpointInventory.of(c).tensors().isEmpty());
        byte[] listKey = new CraftedFiles.Pickle().op('}').op(']').int1(1).op('s').stop();
        String m = failure(write("key.pt", CraftedFiles.zip(archive(listKey, Map.of()))));
        assertTrue(m.contains("unhashable ArrayList used as a dict key"), m);
    }

    @Test
    void hugeLengthPrefixesAreRefusedBeforeAllocating() throws Exception {
        byte[] pkl = new CraftedFiles.Pickle().op(0x8e).bytes((byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0,
                (byte) 1, (byte) 0, (byte) 0).stop();
        String m = failure(write("big.pt", CraftedFiles.zip(archive(pkl, Map.of()))));
        assertTrue(m.contains("length prefix 1099511627776"), m);
        byte[] negative = new CraftedFiles.Pickle().op('B').bytes((byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff)
                .stop();
        assertTrue(failure(write("neg.pt", CraftedFiles.zip(archive(negative, Map.of())))).contains("length prefix -1"));
    }

    @Test
    void oldTarLayoutAndTorchScriptArchivesAreRefusedByName() throws Exception {
        byte[] tar = new byte[1024];
        System.arraycopy("storages".getBytes(), 0, tar, 0, 8);
        System.arraycopy("ustar".getBytes(), 0, tar, 257, 5);
        assertTrue(failure(write("old.tar", tar)).contains("a tar archive, PyTorch's pre-0.4 checkpoint layout"));
        byte[] script = CraftedFiles.zip(Map.of("m/constants.pkl", new byte[] {(byte) 0x80, 2, '.'},
                "m/code/__torch__.py", new byte[0]));
        assertTrue(failure(write("script.pt", script)).contains("a TorchScript archive"));
    }

    @Test
    void deflatedEntriesAreInflatedAndGiveTheSameTensors(@TempDir Path tmp) throws Exception {
        Map<String, byte[]> entries = CraftedFiles.unzip(Fixtures.file("bare.pth"));
        Path rezipped = tmp.resolve("deflated.pth");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(rezipped))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        Map<?, ?> root = (Map<?, ?>) Checkpoint.read(rezipped).root();
        Fixtures.assertAllSameAsTorch(Fixtures.expected().get("small"), TorchCheckpointReadTest.tensorsOf(root));
        assertInstanceOf(StoredTensor.class, root.get("conv.weight"));
    }
}

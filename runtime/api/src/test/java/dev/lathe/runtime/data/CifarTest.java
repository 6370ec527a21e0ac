package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixtures: src/test/resources/data/cifar (CIFAR-100) and data/cifar10, each written by its make_fixtures.py (numpy +
 * pickle, the real release formats).
 */
class CifarTest {
    static Path fixtures() throws URISyntaxException {
        return Path.of(CifarTest.class.getResource("/data/cifar/make_fixtures.py").toURI()).getParent();
    }

    @Test
    void pythonAndBinaryReleasesHoldTheSameImagesAndLabels() throws Exception {
        for (boolean train : new boolean[] {true, false}) {
            Cifar py = Cifar.readPython(Cifar.Release.CIFAR100, fixtures().resolve("cifar-100-python/" + (train ? "train" : "test")));
            Cifar bin = Cifar.readBinary(Cifar.Release.CIFAR100, fixtures().resolve("cifar-100-binary/" + (train ? "train" : "test") + ".bin"));
            assertEquals(train ? 200 : 100, py.size());
            assertEquals(py.size(), bin.size());
            for (int i = 0; i < py.size(); i++) {
                assertEquals(py.label(i), bin.label(i));
                assertEquals(py.coarseLabel(i), bin.coarseLabel(i));
                assertEquals(py.label(i) / 5, py.coarseLabel(i), "the generator's coarse label is fine / 5");
                assertArrayEquals(py.image(i).rgb(), bin.image(i).rgb());
            }
            int[] counts = py.classCounts();
            for (int c = 0; c < 100; c++) {
                assertEquals(train ? 2 : 1, counts[c]);
            }
        }
    }

    static Path cifar10() throws URISyntaxException {
        return Path.of(CifarTest.class.getResource("/data/cifar10/make_fixtures.py").toURI()).getParent();
    }

    /** Both CIFAR-10 releases, the five train batches concatenated in order: labels and pixel sums as written. */
    @Test
    void cifar10ReleasesReadAsTheGeneratorWroteThem(@TempDir Path tmp) throws Exception {
        List<String> expected = Files.readAllLines(cifar10().resolve("expected.txt"));
        for (String release : List.of("cifar-10-batches-py", "cifar-10-batches-bin")) {
            Path only = tmp.resolve(release.endsWith("py") ? "py" : "bin");
            Files.createDirectories(only);
            try (var files = Files.list(cifar10().resolve(release))) {
                for (Path f : files.toList()) {
                    Files.copy(f, only.resolve(f.getFileName()));
                }
            }
            for (boolean train : new boolean[] {true, false}) {
                Cifar c = Cifar.read(Cifar.Release.CIFAR10, only, train);
                assertEquals(10, c.numClasses());
                int[] labels = Arrays.stream(expected.get(train ? 0 : 2).split(" ")).mapToInt(Integer::parseInt)
                        .toArray();
                long[] sums = Arrays.stream(expected.get(train ? 1 : 3).split(" ")).mapToLong(Long::parseLong)
                        .toArray();
                assertEquals(labels.length, c.size(), release);
                for (int i = 0; i < c.size(); i++) {
                    assertEquals(labels[i], c.label(i), release + " image " + i);
                    long sum = 0;
                    for (byte b : c.image(i).rgb()) {
                        sum += b & 0xff;
                    }
                    assertEquals(sums[i], sum, release + " image " + i);
                }
            }
            assertTrue(Cifar.read(Cifar.Release.CIFAR10, only, true).describe(12).endsWith("data_batch_2"
                    + (release.endsWith("bin") ? ".bin" : "") + " image 2"));
        }
        IOException e = assertThrows(IOException.class, () -> Cifar.read(Cifar.Release.CIFAR10, fixtures(), true));
        assertTrue(e.getMessage().contains("CIFAR-10 'data_batch_1'"), e.getMessage());
    }

    @Test
    void planarPixelsBecomeInterleavedRgb() throws Exception {
        Path bin = fixtures().resolve("cifar-100-binary/test.bin");
        byte[] raw = Files.readAllBytes(bin);
        Image im = Cifar.readBinary(Cifar.Release.CIFAR100, bin).image(3);
        int rec = 3 * 3074 + 2;
        // pixel (x=5, y=7): plane offset 7*32+5
        int p = 7 * 32 + 5;
        assertEquals(raw[rec + p] & 0xff, im.get(5, 7, 0));
        assertEquals(raw[rec + 1024 + p] & 0xff, im.get(5, 7, 1));
        assertEquals(raw[rec + 2048 + p] & 0xff, im.get(5, 7, 2));
    }

    @Test
    void readFindsEitherReleaseUnderItsArchiveDirectory(@TempDir Path tmp) throws Exception {
        assertEquals(200, Cifar.read(Cifar.Release.CIFAR100, fixtures(), true).size());
        assertTrue(Cifar.read(Cifar.Release.CIFAR100, fixtures(), true).describe(0).contains("cifar-100-python"));
        Path onlyBinary = tmp.resolve("cifar-100-binary");
        Files.createDirectories(onlyBinary);
        Files.copy(fixtures().resolve("cifar-100-binary/test.bin"), onlyBinary.resolve("test.bin"));
        assertEquals(100, Cifar.read(Cifar.Release.CIFAR100, tmp, false).size());
        IOException e = assertThrows(IOException.class, () -> Cifar.read(Cifar.Release.CIFAR100, tmp, true));
        assertTrue(e.getMessage().contains("train.bin"), e.getMessage());
    }

    @Test
    void truncatedBinaryFileIsAnErrorNamingTheFile(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("train.bin");
        byte[] raw = Files.readAllBytes(fixtures().resolve("cifar-100-binary/test.bin"));
        Files.write(f, Arrays.copyOf(raw, raw.length - 1));
        IOException e = assertThrows(IOException.class, () -> Cifar.readBinary(Cifar.Release.CIFAR100, f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void longTailedSelectionIsTheReferenceCodesOnTheFakeSet() throws Exception {
        Cifar train = Cifar.read(Cifar.Release.CIFAR100, fixtures(), true);
        int[] expected = Arrays.stream(Files.readString(fixtures().resolve("lt_fake_if100.txt")).trim().split(" "))
                .mapToInt(Integer::parseInt).toArray();
        Subset lt = (Subset) train.longTailed(100);
        assertEquals(expected.length, lt.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], lt.baseIndex(i), "kept image " + i);
        }
    }

    /** At the real set's 500 images per class: the same positions as numpy's seed-0 shuffles, for IF 100, 50, 10. */
    @Test
    void longTailedSelectionMatchesNumpyAtFullScale() throws Exception {
        int[] labels = new int[50_000];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / 500;
        }
        for (int inv : new int[] {100, 50, 10}) {
            int[] kept = LongTail.cifarSelection(labels, 100, inv);
            List<String> lines = Files.readAllLines(fixtures().resolve("lt_ranks_if" + inv + ".txt"));
            int k = 0;
            for (int c = 0; c < 100; c++) {
                int[] ranks = Arrays.stream(lines.get(c).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
                for (int r : ranks) {
                    assertEquals(500 * c + r, kept[k++], "IF " + inv + " class " + c);
                }
            }
            assertEquals(k, kept.length);
        }
        int[] counts = LongTail.cifarCounts(100, 500, 100);
        assertEquals(500, counts[0]);
        assertEquals(5, counts[99]);
        assertEquals(10847, Arrays.stream(counts).sum(), "CIFAR-100-LT IF 100 has 10,847 training images");
    }

    @Test
    void shotSplitBoundaries() {
        assertEquals(LongTail.Shot.MANY, LongTail.shot(101));
        assertEquals(LongTail.Shot.MEDIUM, LongTail.shot(100));
        assertEquals(LongTail.Shot.MEDIUM, LongTail.shot(20));
        assertEquals(LongTail.Shot.FEW, LongTail.shot(19));
        LongTail.Shot[] s = LongTail.shots(LongTail.cifarCounts(100, 500, 100));
        long many = Arrays.stream(s).filter(x -> x == LongTail.Shot.MANY).count();
        long few = Arrays.stream(s).filter(x -> x == LongTail.Shot.FEW).count();
        assertEquals(35, many, "CIFAR-100-LT IF 100: classes 0..34 have > 100 images");
        assertEquals(30, few, "classes 70..99 have < 20 images");
    }
}

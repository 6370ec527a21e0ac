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

/** Fixtures: src/test/resources/data/cifar, written by make_fixtures.py (numpy + pickle, real release formats). */
class Cifar100Test {
    static Path fixtures() throws URISyntaxException {
        return Path.of(Cifar100Test.class.getResource("/data/cifar/make_fixtures.py").toURI()).getParent();
    }

    @Test
    void pythonAndBinaryReleasesHoldTheSameImagesAndLabels() throws Exception {
        for (boolean train : new boolean[] {true, false}) {
            Cifar100 py = Cifar100.readPython(fixtures().resolve("cifar-100-python/" + (train ? "train" : "test")));
            Cifar100 bin = Cifar100.readBinary(fixtures().resolve("cifar-100-binary/" + (train ? "train" : "test") + ".bin"));
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

    @Test
    void planarPixelsBecomeInterleavedRgb() throws Exception {
        Path bin = fixtures().resolve("cifar-100-binary/test.bin");
        byte[] raw = Files.readAllBytes(bin);
        Image im = Cifar100.readBinary(bin).image(3);
        int rec = 3 * 3074 + 2;
        // pixel (x=5, y=7): plane offset 7*32+5
        int p = 7 * 32 + 5;
        assertEquals(raw[rec + p] & 0xff, im.get(5, 7, 0));
        assertEquals(raw[rec + 1024 + p] & 0xff, im.get(5, 7, 1));
        assertEquals(raw[rec + 2048 + p] & 0xff, im.get(5, 7, 2));
    }

    @Test
    void readFindsEitherReleaseUnderItsArchiveDirectory(@TempDir Path tmp) throws Exception {
        assertEquals(200, Cifar100.read(fixtures(), true).size());
        assertTrue(Cifar100.read(fixtures(), true).describe(0).contains("cifar-100-python"));
        Path onlyBinary = tmp.resolve("cifar-100-binary");
        Files.createDirectories(onlyBinary);
        Files.copy(fixtures().resolve("cifar-100-binary/test.bin"), onlyBinary.resolve("test.bin"));
        assertEquals(100, Cifar100.read(tmp, false).size());
        IOException e = assertThrows(IOException.class, () -> Cifar100.read(tmp, true));
        assertTrue(e.getMessage().contains("train.bin"), e.getMessage());
    }

    @Test
    void truncatedBinaryFileIsAnErrorNamingTheFile(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("train.bin");
        byte[] raw = Files.readAllBytes(fixtures().resolve("cifar-100-binary/test.bin"));
        Files.write(f, Arrays.copyOf(raw, raw.length - 1));
        IOException e = assertThrows(IOException.class, () -> Cifar100.readBinary(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void longTailedSelectionIsTheReferenceCodesOnTheFakeSet() throws Exception {
        Cifar100 train = Cifar100.read(fixtures(), true);
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

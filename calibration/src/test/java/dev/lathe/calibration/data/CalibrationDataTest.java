package dev.lathe.calibration.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationDataTest {
    @TempDir
    Path dir;

    @Test
    void npyFilesAreReadInNameOrderAndCutIntoBatchesUpToTheSampleCount() throws IOException {
        float[] a = new float[5 * 2];
        float[] b = new float[4 * 2];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = 100 + i;
        }
        Npy.write(dir.resolve("b.npy"), HostTensor.ofFloats(new long[] {4, 2}, b));
        Npy.write(dir.resolve("a.npy"), HostTensor.ofFloats(new long[] {5, 2}, a));
        List<float[]> seen = new ArrayList<>();
        long n = new NpyBatches(dir, 7, 3).forEachBatch(t -> seen.add(t.toFloats()));
        assertEquals(7, n);
        assertEquals(List.of(6, 4, 4), seen.stream().map(f -> f.length).toList(), "3 + 2 rows of a, 2 rows of b");
        assertArrayEquals(new float[] {6, 7, 8, 9}, seen.get(1));
        assertArrayEquals(new float[] {100, 101, 102, 103}, seen.get(2));
    }

    @Test
    void anEmptyFolderIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NpyBatches(dir, 1, 1));
        assertEquals("npy:" + dir + ": the folder holds no .npy file", e.getMessage());
    }

    @Test
    void datasetSamplesAreASeededSubsetWithTheirLabels() throws IOException {
        SyntheticDataset d = new SyntheticDataset(3, 3, 4, 5, 1, 0, 1);
        List<float[]> first = new ArrayList<>();
        List<float[]> again = new ArrayList<>();
        assertEquals(8, new DatasetSamples(d, 8, 3, 42).forEachBatch(t -> first.add(t.toFloats())));
        new DatasetSamples(d, 8, 3, 42).forEachBatch(t -> again.add(t.toFloats()));
        assertEquals(List.of(144, 144, 96), first.stream().map(f -> f.length).toList(), "3, 3 and 2 images of 3x4x4");
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), again.get(i), "same seed, same images");
        }
        assertEquals(15, new DatasetSamples(d, 1000, 4, 0).forEachBatch(t -> { }), "capped at the dataset");
        List<long[]> labels = new ArrayList<>();
        new DatasetSamples(d, 8, 3, 42).forEachLabelled((t, l) -> labels.add(l));
        assertEquals(List.of(3, 3, 2), labels.stream().map(l -> l.length).toList(), "one label per image");
        assertTrue(labels.stream().flatMapToLong(java.util.Arrays::stream).allMatch(l -> l >= 0 && l < 3));
    }
}

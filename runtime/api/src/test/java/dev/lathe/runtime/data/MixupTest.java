package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.io.Npy;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** References: src/test/resources/data/mixup, timm 0.6.13's mixup.py run by make_fixtures.py with recorded draws. */
class MixupTest {
    static Path dir() throws Exception {
        return Path.of(MixupTest.class.getResource("/data/mixup/make_fixtures.py").toURI()).getParent();
    }

    /**
     * Same lambdas, boxes and (reversed-batch) pairing: images and soft targets equal timm's, with rand_bbox's boxes
     * and with --cutmix-minmax's (rand_bbox_minmax, alpha forced to 1) in batch, pair and elem modes.
     */
    @Test
    void replayedDrawsGiveTimmsImagesAndTargets() throws Exception {
        float[] input = Npy.read(dir().resolve("input.npy")).toFloats();
        long[] labels = new long[6];
        Npy.read(dir().resolve("labels.npy")).data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asLongBuffer().get(labels);
        float[] images = Npy.read(dir().resolve("images.npy")).toFloats();
        float[] targets = Npy.read(dir().resolve("targets.npy")).toFloats();
        List<String> lines = Files.readAllLines(dir().resolve("cases.txt"));
        int k = 0;
        float maxImage = 0;
        float maxTarget = 0;
        int mixed = 0;
        int minmaxBoxes = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] h = line.substring(0, line.indexOf('|')).trim().split(" ");
            double[] minmax = h[2].equals("none") ? null
                    : Arrays.stream(h[2].split(",")).mapToDouble(Double::parseDouble).toArray();
            Mixup m = new Mixup(Double.parseDouble(h[0]), Double.parseDouble(h[1]), minmax, Double.parseDouble(h[3]),
                    Double.parseDouble(h[4]), Mixup.Mode.parse(h[5], "--mixup-mode"), Double.parseDouble(h[6]), 5);
            ReplayDraws draws = new ReplayDraws(line.substring(line.indexOf('|') + 1));
            FloatBuffer x = FloatBuffer.wrap(input.clone());
            FloatBuffer t = FloatBuffer.allocate(6 * 5);
            m.apply(x, LongBuffer.wrap(labels), 6, 3, 9, 11, t, draws);
            draws.assertAllUsed();
            boolean changed = false;
            for (int i = 0; i < input.length; i++) {
                maxImage = Math.max(maxImage, Math.abs(images[k * input.length + i] - x.get(i)));
                changed |= x.get(i) != input[i];
            }
            for (int i = 0; i < 30; i++) {
                maxTarget = Math.max(maxTarget, Math.abs(targets[k * 30 + i] - t.get(i)));
            }
            mixed += changed ? 1 : 0;
            minmaxBoxes += minmax != null && line.contains("randint:") ? 1 : 0;
            k++;
        }
        assertEquals(54, k);
        assertTrue(mixed >= 45, "most cases mix: " + mixed);
        assertTrue(minmaxBoxes >= 12, "most minmax cases cut a box: " + minmaxBoxes);
        assertEquals(0f, maxImage, "max |image difference|");
        assertEquals(0f, maxTarget, "max |target difference|");
    }

    @Test
    void targetsAreDistributionsAndSeededBatchesRepeat() {
        Mixup m = new Mixup(0.8, 1.0, null, 1.0, 0.5, Mixup.Mode.ELEM, 0.1, 7);
        float[] a = new float[8 * 3 * 4 * 4];
        Random r = new Random(2);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        long[] y = {0, 1, 2, 3, 4, 5, 6, 0};
        FloatBuffer t1 = FloatBuffer.allocate(8 * 7);
        FloatBuffer x1 = FloatBuffer.wrap(a.clone());
        m.apply(x1, LongBuffer.wrap(y), 8, 3, 4, 4, t1, Draws.of(new Random(5)));
        FloatBuffer t2 = FloatBuffer.allocate(8 * 7);
        FloatBuffer x2 = FloatBuffer.wrap(a.clone());
        m.apply(x2, LongBuffer.wrap(y), 8, 3, 4, 4, t2, Draws.of(new Random(5)));
        assertEquals(x1, x2);
        assertEquals(t1, t2);
        for (int i = 0; i < 8; i++) {
            double s = 0;
            for (int c = 0; c < 7; c++) {
                s += t1.get(i * 7 + c);
            }
            assertEquals(1.0, s, 1e-6, "row " + i);
        }
    }

    @Test
    void badSettingsNameTheFlags() {
        assertEquals("--mixup-mode pairs: expected batch, pair or elem", assertThrows(IllegalArgumentException.class,
                () -> Mixup.Mode.parse("pairs", "--mixup-mode")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Mixup(0, 0, null, 1, 0.5, Mixup.Mode.BATCH,
                0, 5)).getMessage().contains("--mixup, --cutmix"));
        Mixup m = new Mixup(0.8, 0, null, 1, 0.5, Mixup.Mode.BATCH, 0, 5);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.apply(FloatBuffer.allocate(3), LongBuffer
                .allocate(3), 3, 1, 1, 1, FloatBuffer.allocate(15), Draws.of(new Random(0)))).getMessage()
                .contains("even batch size"));
        for (double[] bad : new double[][] {{0, 0.5}, {0.5, 0.5}, {0.6, 0.5}, {0.2, 1.1}, {0.2}}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new Mixup(0, 0, bad, 1, 0.5, Mixup.Mode
                    .BATCH, 0, 5)).getMessage().startsWith("--cutmix-minmax needs MIN,MAX with 0 < MIN < MAX <= 1"),
                    Arrays.toString(bad));
        }
        Mixup narrow = new Mixup(0, 0, new double[] {0.2, 0.21}, 1, 0.5, Mixup.Mode.BATCH, 0, 5);
        assertEquals("Mixup(mixup 0.0, cutmix 1.0, cutmix minmax 0.2,0.21, prob 1.0, switch 0.5, mode batch,"
                + " smoothing 0.0)", narrow.toString());
        narrow.checkImageSize(100, 100);
        assertEquals("--cutmix-minmax 0.2,0.21 leaves no box size for a side of 9 pixels: int(9 * MIN) = 1 must be"
                + " below int(9 * MAX) = 1", assertThrows(IllegalArgumentException.class,
                        () -> narrow.checkImageSize(100, 9)).getMessage());
    }
}

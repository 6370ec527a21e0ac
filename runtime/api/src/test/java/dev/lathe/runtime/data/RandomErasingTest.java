package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.io.Npy;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** References: src/test/resources/data/erasing, timm 0.6.13's random_erasing.py run by make_fixtures.py. */
class RandomErasingTest {
    static Path dir() throws Exception {
        return Path.of(RandomErasingTest.class.getResource("/data/erasing/make_fixtures.py").toURI()).getParent();
    }

    /** Same draws, same erased boxes and fill values: exact float equality over every case. */
    @Test
    void replayedDrawsGiveTimmsErasedImages() throws Exception {
        float[] input = Npy.read(dir().resolve("input.npy")).toFloats();
        float[] expected = Npy.read(dir().resolve("expected.npy")).toFloats();
        List<String> lines = Files.readAllLines(dir().resolve("cases.txt"));
        int n = input.length;
        int k = 0;
        int erasedSomewhere = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] head = line.substring(0, line.indexOf('|')).trim().split(" ");
            ReplayDraws draws = new ReplayDraws(line.substring(line.indexOf('|') + 1));
            RandomErasing re = RandomErasing.timm(Double.parseDouble(head[1]), RandomErasing.Mode.parse(head[0], "--remode"),
                    Integer.parseInt(head[2]));
            FloatBuffer img = FloatBuffer.wrap(input.clone());
            re.apply(img, 0, 3, 14, 18, draws);
            draws.assertAllUsed();
            int changed = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(expected[k * n + i], img.get(i), 0f, line + " value " + i);
                changed += img.get(i) != input[i] ? 1 : 0;
            }
            erasedSomewhere += changed > 0 ? 1 : 0;
            k++;
        }
        assertEquals(36, k);
        assertTrue(erasedSomewhere > 20, "most cases erase something: " + erasedSomewhere);
    }

    @Test
    void seededErasingWritesInsideTheImageOnly() {
        RandomErasing re = RandomErasing.timm(1.0, RandomErasing.Mode.PIXEL, 3);
        float[] a = new float[2 * 3 * 10 * 12];
        FloatBuffer buf = FloatBuffer.wrap(a);
        re.apply(buf, 3 * 10 * 12, 3, 10, 12, Draws.of(new Random(4)));
        for (int i = 0; i < 3 * 10 * 12; i++) {
            assertEquals(0f, a[i], "the first image is untouched");
        }
        float[] b = new float[a.length];
        RandomErasing.timm(1.0, RandomErasing.Mode.PIXEL, 3).apply(FloatBuffer.wrap(b), 3 * 10 * 12, 3, 10, 12,
                Draws.of(new Random(4)));
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
    }

    @Test
    void badSettingsAreRefusedWithTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RandomErasing.Mode.parse("zero", "--remode"));
        assertEquals("--remode zero: expected const, rand or pixel", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RandomErasing.timm(1.5, RandomErasing.Mode.CONST, 1));
        assertThrows(IllegalArgumentException.class, () -> RandomErasing.timm(0.5, RandomErasing.Mode.CONST, 0));
    }
}

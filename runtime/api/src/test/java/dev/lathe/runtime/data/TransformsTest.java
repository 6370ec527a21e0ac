package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.io.Npy;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** References: src/test/resources/data/transforms, written by make_fixtures.py with torchvision 0.14 / Pillow 9.4. */
class TransformsTest {
    static Path dir() throws Exception {
        return Path.of(TransformsTest.class.getResource("/data/transforms/make_fixtures.py").toURI()).getParent();
    }

    static Image load(String name) throws Exception {
        HostTensor t = Npy.read(dir().resolve(name + ".npy"));
        long[] s = t.shape();
        byte[] b = new byte[(int) t.numel()];
        t.data().duplicate().get(b);
        return new Image((int) s[1], (int) s[0], b);
    }

    static void assertSame(String name, Image actual) throws Exception {
        Image expected = load(name);
        assertEquals(expected.width(), actual.width(), name + " width");
        assertEquals(expected.height(), actual.height(), name + " height");
        byte[] e = expected.rgb();
        byte[] a = actual.rgb();
        int maxDiff = 0;
        for (int i = 0; i < e.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((e[i] & 0xff) - (a[i] & 0xff)));
        }
        assertEquals(0, maxDiff, name + ": max |difference| in 8-bit levels");
    }

    static Image run(Transform t, Image in) {
        return t.apply(in, new Random(0));
    }

    /** PIL's resample exactly (fixed point, antialiased downscaling, both filters), through torchvision's Resize. */
    @Test
    void resizeMatchesTorchvisionBitForBit() throws Exception {
        Image a = load("input");
        Image b = load("input2");
        assertSame("a_short64_bilinear", run(Transforms.resizeShorter(64, Interpolation.BILINEAR), a));
        assertSame("a_short64_bicubic", run(Transforms.resizeShorter(64, Interpolation.BICUBIC), a));
        assertSame("a_short12_bilinear", run(Transforms.resizeShorter(12, Interpolation.BILINEAR), a));
        assertSame("a_short12_bicubic", run(Transforms.resizeShorter(12, Interpolation.BICUBIC), a));
        assertSame("a_17x50_bicubic", run(Transforms.resize(17, 50, Interpolation.BICUBIC), a));
        assertSame("b_short30_bilinear", run(Transforms.resizeShorter(30, Interpolation.BILINEAR), b));
        assertSame("b_short16_bicubic", run(Transforms.resizeShorter(16, Interpolation.BICUBIC), b));
    }

    @Test
    void centerCropMatchesTorchvisionIncludingPadding() throws Exception {
        Image a = load("input");
        assertSame("a_crop20", run(Transforms.centerCrop(20, 20), a));
        assertSame("a_crop10x31", run(Transforms.centerCrop(10, 31), a));
        assertSame("a_crop40", run(Transforms.centerCrop(40, 40), a));
        assertSame("b_resize32_crop24_bilinear", run(Transforms.compose(Transforms.resizeShorter(32,
                Interpolation.BILINEAR), Transforms.centerCrop(24, 24)), load("input2")));
        assertSame("a_resize36_crop32_bicubic", run(Transforms.compose(Transforms.resizeShorter(36,
                Interpolation.BICUBIC), Transforms.centerCrop(32, 32)), a));
    }

    @Test
    void normalizeMatchesToTensorAndNormalize() throws Exception {
        check("b_imagenet_eval_tensor", Normalize.IMAGENET, run(Transforms.compose(Transforms.resizeShorter(32,
                Interpolation.BILINEAR), Transforms.centerCrop(24, 24)), load("input2")));
        check("a_cifar_tensor", Normalize.CIFAR, load("input"));
    }

    private static void check(String name, Normalize n, Image im) throws Exception {
        float[] expected = Npy.read(dir().resolve(name + ".npy")).toFloats();
        FloatBuffer out = FloatBuffer.allocate(expected.length);
        n.write(im, out);
        assertEquals(expected.length, out.position());
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - out.get(i)));
        }
        assertEquals(0f, max, 1e-6f, name + " max |difference|");
    }

    @Test
    void colourAdjustmentsMatchPilImageEnhance() throws Exception {
        Image a = load("input");
        assertSame("a_brightness_0.63", ColorAdjust.brightness(a, 0.63));
        assertSame("a_brightness_1.37", ColorAdjust.brightness(a, 1.37));
        assertSame("a_contrast_0.71", ColorAdjust.contrast(a, 0.71));
        assertSame("a_contrast_1.29", ColorAdjust.contrast(a, 1.29));
        assertSame("a_saturation_0.6", ColorAdjust.saturation(a, 0.6));
        assertSame("a_saturation_1.4", ColorAdjust.saturation(a, 1.4));
    }

    @Test
    void randomResizedCropBoxesStayInsideAndFollowTheScaleAndRatioRanges() {
        Random r = new Random(1);
        int fallbacks = 0;
        for (int i = 0; i < 2000; i++) {
            int w = 20 + r.nextInt(300);
            int h = 20 + r.nextInt(300);
            int[] box = Transforms.randomResizedCropBox(w, h, 0.08, 1.0, 0.75, 4 / 3.0, r);
            int top = box[0];
            int left = box[1];
            assertTrue(top >= 0 && left >= 0 && top + box[2] <= h && left + box[3] <= w, "inside");
            double frac = (double) box[2] * box[3] / (w * h);
            double ratio = (double) box[3] / box[2];
            if (frac > 1.0 + 1e-9 || frac < 0.05) {
                fallbacks++;
            }
            assertTrue(ratio > 0.6 && ratio < 1.6 || box[2] == h || box[3] == w, "ratio " + ratio);
        }
        assertEquals(0, fallbacks);
        // A 1x100 strip can never fit a 3/4..4/3 box: fallback is the full height with w = round(h * 4/3), centred.
        int[] strip = Transforms.randomResizedCropBox(100, 3, 0.08, 1.0, 0.75, 4 / 3.0, new Random(3));
        assertArrayEquals(new int[] {0, 48, 3, 4}, strip);
    }

    @Test
    void randomStepsAreSeededAndChangeTheImage() throws Exception {
        Image a = load("input");
        Transform train = Transforms.compose(Transforms.randomResizedCrop(24), Transforms.horizontalFlip(0.5),
                Transforms.colorJitter(0.4, 0.4, 0.4));
        assertArrayEquals(train.apply(a, new Random(5)).rgb(), train.apply(a, new Random(5)).rgb());
        assertNotEquals(ByteBuffer.wrap(train.apply(a, new Random(5)).rgb()),
                ByteBuffer.wrap(train.apply(a, new Random(6)).rgb()));
        Image c = Transforms.randomCrop(29, 37, 4).apply(a, new Random(9));
        assertEquals(37, c.width());
        assertEquals(29, c.height());
        Image flipped = Transforms.flip(a);
        assertEquals(a.get(0, 3, 1), flipped.get(36, 3, 1));
        // Every random crop of the padded image is the original shifted by at most 4 pixels, zeros outside.
        boolean shifted = false;
        for (int seed = 0; seed < 20; seed++) {
            Image rc = Transforms.randomCrop(29, 37, 4).apply(a, new Random(seed));
            boolean found = false;
            for (int dy = -4; dy <= 4 && !found; dy++) {
                for (int dx = -4; dx <= 4 && !found; dx++) {
                    found = matchesShift(a, rc, dx, dy);
                    if (found && (dx != 0 || dy != 0)) {
                        shifted = true;
                    }
                }
            }
            assertTrue(found, "seed " + seed);
        }
        assertTrue(shifted);
    }

    private static boolean matchesShift(Image a, Image c, int dx, int dy) {
        for (int y = 0; y < c.height(); y++) {
            for (int x = 0; x < c.width(); x++) {
                int sx = x + dx;
                int sy = y + dy;
                for (int ch = 0; ch < 3; ch++) {
                    int expected = sx >= 0 && sy >= 0 && sx < a.width() && sy < a.height() ? a.get(sx, sy, ch) : 0;
                    if (c.get(x, y, ch) != expected) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}

package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.io.Npy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** References: src/test/resources/data/randaugment, written by make_fixtures.py with Pillow 9.4 (timm's op calls). */
class RandAugmentTest {
    static Path dir() throws Exception {
        return Path.of(RandAugmentTest.class.getResource("/data/randaugment/make_fixtures.py").toURI()).getParent();
    }

    /** The largest level difference between {@code actual} and the same-sized top-left corner of {@code canvas}. */
    static int maxDiff(Image canvas, Image actual) {
        int diff = 0;
        for (int y = 0; y < actual.height(); y++) {
            for (int x = 0; x < actual.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    diff = Math.max(diff, Math.abs(canvas.get(x, y, c) - actual.get(x, y, c)));
                }
            }
        }
        return diff;
    }

    static Image image(HostTensor t, int k) {
        long[] s = t.shape();
        int h = (int) s[s.length - 3];
        int w = (int) s[s.length - 2];
        byte[] b = new byte[3 * w * h];
        ByteBuffer d = t.data().duplicate();
        d.position(k * b.length);
        d.get(b);
        return new Image(w, h, b);
    }

    /**
     * Every op (AutoAugment's PosterizeOriginal too) at several magnitudes, both signs, both resample filters and two
     * fill colours, and the geometric ops on a larger 64x48 image: 0 levels apart.
     */
    @Test
    void everyOpEqualsPillowBitForBit() throws Exception {
        Map<String, Image> inputs = new HashMap<>();
        Map<String, HostTensor> outputs = new HashMap<>();
        Map<String, Integer> next = new HashMap<>();
        for (String n : List.of("a", "b", "c")) {
            inputs.put(n, image(Npy.read(dir().resolve(n + ".npy")), 0));
            outputs.put(n, Npy.read(dir().resolve(n + "_ops.npy")));
            next.put(n, 0);
        }
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (String line : Files.readAllLines(dir().resolve("cases.txt"))) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            String img = f[0];
            RandAugment.Op op = RandAugment.Op.byTimmName(f[1]);
            double m = Double.parseDouble(f[2]);
            boolean negate = f[3].equals("1");
            Interpolation rs = f[4].equals("-") ? null : Interpolation.valueOf(f[4].toUpperCase());
            String[] fs = f[5].split(",");
            int[] fill = {Integer.parseInt(fs[0]), Integer.parseInt(fs[1]), Integer.parseInt(fs[2])};
            int k = next.merge(img, 1, Integer::sum) - 1;
            Image expected = image(outputs.get(img), k);
            Image actual = RandAugment.apply(op, inputs.get(img), m, negate, rs, fill, 0.45);
            int maxDiff = 0;
            int differing = 0;
            for (int i = 0; i < expected.rgb().length; i++) {
                int d = Math.abs((expected.rgb()[i] & 0xff) - (actual.rgb()[i] & 0xff));
                maxDiff = Math.max(maxDiff, d);
                differing += d != 0 ? 1 : 0;
            }
            if (maxDiff != 0) {
                failures.add(line + ": " + differing + " values differ, max " + maxDiff);
            }
            cases++;
        }
        assertEquals(300, cases);
        assertEquals(List.of(), failures);
    }

    /**
     * The whole transform against timm 0.6.13's own RandAugment (make_timm_fixtures.py) given the same draws: op
     * choice, skip, magnitude noise and clipping, sign and resample draws in timm's order; 72 cases, 0 levels apart.
     */
    @Test
    void wholeTransformEqualsTimmsRandAugmentGivenTheSameDraws() throws Exception {
        Map<String, Image> inputs = new HashMap<>();
        for (String n : List.of("a", "b")) {
            inputs.put(n, image(Npy.read(dir().resolve(n + ".npy")), 0));
        }
        Replay r = replay("timm_cases.txt", "timm_ops.npy", inputs);
        assertEquals(72, r.cases());
        assertTrue(r.changed() > 50, "most cases change the image: " + r.changed());
        assertEquals(List.of(), r.failures());
    }

    /** What replaying a timm fixture gave: cases run, how many changed their image, and the cases that differ. */
    record Replay(int cases, int changed, List<String> failures) {}

    /**
     * Replays {@code casesFile} (lines "image spec interpolation | draws", written by a make_timm_*_fixtures.py)
     * through the {@code --aa} transform each line names, with timm's ImageNet fill, against the stacked outputs of
     * {@code outputsFile}; every recorded draw must be used.
     */
    static Replay replay(String casesFile, String outputsFile, Map<String, Image> inputs) throws Exception {
        HostTensor outs = Npy.read(dir().resolve(outputsFile));
        List<String> failures = new ArrayList<>();
        int k = 0;
        int changed = 0;
        for (String line : Files.readAllLines(dir().resolve(casesFile))) {
            if (line.isBlank()) {
                continue;
            }
            String head = line.substring(0, line.indexOf('|')).trim();
            String[] h = head.split(" ");
            Image in = inputs.get(h[0]);
            Interpolation rs = h[2].equals("random") ? null : Interpolation.valueOf(h[2].toUpperCase());
            DrawnTransform t = AugmentSpec.parse(h[1], "--aa").transform(new OpStyle(new int[] {124, 116, 104}, rs));
            ReplayDraws draws = new ReplayDraws(line.substring(line.indexOf('|') + 1));
            Image actual = t.apply(in, draws);
            draws.assertAllUsed();
            int diff = maxDiff(image(outs, k++), actual);
            if (diff != 0) {
                failures.add(head + " case " + (k - 1) + ": max " + diff);
            }
            changed += java.util.Arrays.equals(actual.rgb(), in.rgb()) ? 0 : 1;
        }
        return new Replay(k, changed, failures);
    }

    @Test
    void specParsesTimmGrammar() {
        AugmentSpec s = AugmentSpec.parse("rand-m9-mstd0.5-inc1", "--aa");
        assertEquals(new RandAugment.Spec(9, 2, 0.5, 0.5, 10, true), s);
        assertEquals(s, AugmentSpec.parse(s.toString(), "--aa"));
        assertEquals(new RandAugment.Spec(7, 3, 0.7, 0.5, 10, true),
                RandAugment.Spec.parse("rand-n3-m7-p0.7-mstd0.5-inc1", "--aa"));
        assertEquals(new RandAugment.Spec(10, 2, 0.5, 0, 10, false), RandAugment.Spec.parse("rand", "--aa"));
        RandAugment.Spec uniform = RandAugment.Spec.parse("rand-m15-mmax20-mstd101", "--aa");
        assertEquals(Double.POSITIVE_INFINITY, uniform.magnitudeStd());
        assertEquals(20, uniform.magnitudeMax());
        assertEquals(uniform, RandAugment.Spec.parse(uniform.toString(), "--aa"));
        assertEquals(false, RandAugment.Spec.parse("rand-inc0", "--aa").increasing());
    }

    @Test
    void badSpecsNameTheFlagTheSectionAndTheGrammar() {
        for (String[] c : new String[][] {
            {"rand-m9-x3", "unknown section 'x3'"},
            {"rand-m9.5", "needs a whole number after 'm'"},
            {"rand-mstdx", "unknown section 'mstdx'"},
            {"rand-p1.5", "p in [0, 1]"},
            {"rand-m9-", "unknown section ''"},
            {"", "is empty"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AugmentSpec.parse(c[0], "--aa"), c[0]);
            assertTrue(e.getMessage().startsWith("--aa"), e.getMessage());
            // grammar errors carry both grammars (rand's and the AutoAugment policies'); range errors the ranges
            assertEquals(!c[0].equals("rand-p1.5"), e.getMessage().endsWith(AugmentSpec.GRAMMAR), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void drawsAreSeededAndTheFillIsTimmsImgMean() throws Exception {
        assertArrayEquals(new int[] {124, 116, 104}, OpStyle.of(Normalize.IMAGENET.mean(), null).fill());
        Image a = image(Npy.read(dir().resolve("a.npy")), 0);
        RandAugment ra = new RandAugment(RandAugment.Spec.parse("rand-m9-mstd0.5-inc1", "--aa"),
                OpStyle.of(Normalize.IMAGENET.mean(), null));
        assertArrayEquals(ra.apply(a, new Random(3)).rgb(), ra.apply(a, new Random(3)).rgb());
        int changed = 0;
        for (int seed = 0; seed < 20; seed++) {
            if (!ByteBuffer.wrap(ra.apply(a, new Random(seed)).rgb()).equals(ByteBuffer.wrap(a.rgb()))) {
                changed++;
            }
        }
        // each of 2 ops applies with p 0.5, so about 3 in 4 images change (Invert/AutoContrast may also be no-ops)
        assertTrue(changed >= 8 && changed <= 20, "changed " + changed);
        assertNotEquals(ByteBuffer.wrap(ra.apply(a, new Random(1)).rgb()), ByteBuffer.wrap(ra.apply(a, new Random(2)).rgb()));
    }

    @Test
    void pythonRoundTo15Decimals() {
        assertEquals(0.965925826289068, AffineWarp.round15(Math.cos(Math.toRadians(15))));
        assertEquals(0.1, AffineWarp.round15(0.1));
    }
}

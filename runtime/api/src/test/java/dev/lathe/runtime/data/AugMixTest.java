package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** References: src/test/resources/data/randaugment, by make_timm_augmix_fixtures.py (timm 0.6.13's own code). */
class AugMixTest {

    /** The top-left {@code side} x {@code side} crop (the fixtures' square inputs). */
    private static Image crop(Image in, int side) {
        byte[] out = new byte[3 * side * side];
        for (int y = 0; y < side; y++) {
            System.arraycopy(in.rgb(), 3 * y * in.width(), out, 3 * y * side, 3 * side);
        }
        return new Image(side, side, out);
    }

    private static Map<String, Image> inputs() throws Exception {
        Path dir = RandAugmentTest.dir();
        Map<String, Image> inputs = new HashMap<>();
        inputs.put("a", crop(RandAugmentTest.image(Npy.read(dir.resolve("a.npy")), 0), 18));
        inputs.put("b", crop(RandAugmentTest.image(Npy.read(dir.resolve("b.npy")), 0), 17));
        inputs.put("c", crop(RandAugmentTest.image(Npy.read(dir.resolve("c.npy")), 0), 48));
        return inputs;
    }

    /**
     * The whole transform against timm 0.6.13's own augment_and_mix_transform given the same draws (Dirichlet
     * weights, Beta m, chain depths, op choices, each op's magnitude, sign and resample): default and blended mixing,
     * fixed and random depth, widths 3 and 4, uniform, normal and no magnitude noise, alpha 1, 0.5 and 0.7, fixed
     * and random interpolation; 30 cases, 0 levels apart.
     */
    @Test
    void wholeTransformEqualsTimmsAugMixGivenTheSameDraws() throws Exception {
        Path dir = RandAugmentTest.dir();
        Map<String, Image> inputs = inputs();
        RandAugmentTest.Replay r = RandAugmentTest.replay("timm_augmix_cases.txt", "timm_augmix_ops.npy", inputs);
        assertEquals(30, r.cases());
        assertEquals(30, r.changed(), "every case changes the image");
        assertEquals(List.of(), r.failures());
        long blended = Files.readAllLines(dir.resolve("timm_augmix_cases.txt")).stream().filter(l -> !l.isBlank())
                .filter(l -> ((AugMix.Spec) AugmentSpec.parse(l.trim().split(" ")[1], "--aa")).blended()).count();
        assertEquals(9, blended);
    }

    /** PIL's Image.blend, where both mixing paths end: Pillow's own output for 16 float32 factors, 0 levels apart. */
    @Test
    void blendEqualsPillow() throws Exception {
        Path dir = RandAugmentTest.dir();
        Map<String, Image> inputs = inputs();
        Image a = crop(inputs.get("a"), 17);
        Image b = inputs.get("b");
        float[] alphas = Npy.read(dir.resolve("pil_blend_alphas.npy")).toFloats();
        HostTensor expected = Npy.read(dir.resolve("pil_blend.npy"));
        assertEquals(16, alphas.length);
        for (int i = 0; i < alphas.length; i++) {
            assertArrayEquals(RandAugmentTest.image(expected, i).rgb(), ColorAdjust.blend(a, b, alphas[i]).rgb(),
                    "alpha " + alphas[i]);
        }
    }

    @Test
    void specParsesTimmGrammar() {
        AugmentSpec plain = AugmentSpec.parse("augmix", "--aa");
        assertEquals(new AugMix.Spec(3, 3, -1, Double.POSITIVE_INFINITY, 1.0, false), plain);
        assertEquals("augmix-m3-w3-a1-b0", plain.toString());
        AugmentSpec full = AugmentSpec.parse("augmix-m5-w4-d2-mstd0.5-a0.7-b1", "--aa");
        assertEquals(new AugMix.Spec(5, 4, 2, 0.5, 0.7, true), full);
        assertEquals("augmix-m5-w4-d2-mstd0.5-a0.7-b1", full.toString());
        for (String s : List.of("augmix", "augmix-m5-w4-d2", "augmix-mstd0", "augmix-mstd101-b1", "augmix-mstd1e400",
                "augmix-a0.25-d0")) {
            AugmentSpec p = AugmentSpec.parse(s, "--aa");
            assertEquals(p, AugmentSpec.parse(p.toString(), "--aa"), s);
        }
        // d0 is timm's random depth as the default -1 is; b0 is the default mixing (timm's bool("0") would be true)
        assertEquals(plain, AugmentSpec.parse("augmix-d0-b0", "--aa"));
        assertEquals(plain, AugmentSpec.parse("augmix-mstd1e400", "--aa"));
        assertEquals(0.0, ((AugMix.Spec) AugmentSpec.parse("augmix-mstd0", "--aa")).magnitudeStd());
        assertEquals(101.0, ((AugMix.Spec) AugmentSpec.parse("augmix-mstd101", "--aa")).magnitudeStd());
    }

    @Test
    void badSpecsNameTheFlagTheSectionAndTheGrammar() {
        for (String[] c : new String[][] {
            {"augmix-n2", "--aa augmix-n2: unknown section 'n2' (AugMix takes m, w, d, mstd, a and b)"},
            {"augmix-m", "--aa augmix-m: section 'm' needs a whole number after 'm'"},
            {"augmix-m2.5", "section 'm2.5' needs a whole number after 'm'"},
            {"augmix-b2", "section 'b2' needs 0 or 1 after 'b'"},
            {"augmix-ax", "unknown section 'ax'"},
            {"augmix-a0", "--aa augmix-a0: AugMix needs m >= 0, w >= 1, mstd >= 0 and a finite a > 0; got m=3 w=3"},
            {"augmix-w0", "AugMix needs m >= 0, w >= 1"},
            {"augmix-", "unknown section ''"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AugmentSpec.parse(c[0], "--aa"), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.getMessage().endsWith(AugmentSpec.GRAMMAR), e.getMessage());
            assertTrue(e.getMessage().contains("augmix[-m<int>][-w<int>][-d<int>][-mstd<float>][-a<float>][-b<0|1>]"),
                    e.getMessage());
        }
    }

    /** timm's _calc_blended_weights on weights (0.5, 0.3, 0.2) and m 0.5: the successive blends give 0.25/0.15/0.1. */
    @Test
    void blendedWeightsLeaveEachChainItsShare() {
        float[] w = AugMix.blendedWeights(new float[] {0.5f, 0.3f, 0.2f}, 0.5f);
        // the last chain blends in by 0.1; the middle by 0.15 / 0.9; the first by 0.25 / (0.9 * (1 - 0.15 / 0.9))
        assertEquals((float) (0.1f / 1.0), w[2]);
        assertEquals((float) (0.15f / (1 - (double) 0.1f)), w[1]);
        assertEquals((float) (0.25f / ((1 - (double) 0.1f) * (1 - 0.15f / (1 - (double) 0.1f)))), w[0]);
    }

    /** Seeded draws repeat; under --aa augmix the pipeline is AugMix with timm's fill and colour jitter is off. */
    @Test
    void seededAndCarriedByTheTrainAugmentation() throws Exception {
        Image a = inputs().get("a");
        TrainAugmentation aug = new TrainAugmentation(Interpolation.BICUBIC, AugmentSpec.parse("augmix-m5-w4-d2",
                "--aa"), 0.4, 0, RandomErasing.Mode.PIXEL, 1);
        assertEquals(false, aug.jitterApplies());
        List<Transform> steps = aug.aaOrColourJitter(Normalize.IMAGENET);
        assertEquals(1, steps.size());
        AugMix am = assertInstanceOf(AugMix.class, steps.get(0));
        assertEquals("AugMix(augmix-m5-w4-d2-a1-b0, fill 124,116,104, resample bicubic)", am.toString());
        assertArrayEquals(am.apply(a, new Random(3)).rgb(), am.apply(a, new Random(3)).rgb());
        int changed = 0;
        for (int seed = 0; seed < 20; seed++) {
            changed += Arrays.equals(am.apply(a, new Random(seed)).rgb(), a.rgb()) ? 0 : 1;
        }
        assertTrue(changed >= 18, "changed " + changed);
        double[] dir = Draws.of(new Random(1)).dirichlet(0.5, 4);
        assertEquals(1.0, Arrays.stream(dir).sum(), 1e-12);
        assertTrue(Arrays.stream(dir).allMatch(v -> v >= 0), Arrays.toString(dir));
    }
}

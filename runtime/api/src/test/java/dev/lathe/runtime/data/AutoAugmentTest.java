package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** References: src/test/resources/data/randaugment, by make_timm_autoaugment_fixtures.py (timm 0.6.13's own code). */
class AutoAugmentTest {

    /**
     * The whole transform against timm 0.6.13's own auto_augment_transform given the same draws: sub-policy choice,
     * per-op apply (probabilities 0 and 1 included), mstd noise (normal, and uniform for an infinite mstd) and
     * clipping, sign and resample draws in timm's order, all four policies, fixed and random interpolation; 36 cases,
     * 0 levels apart.
     */
    @Test
    void wholeTransformEqualsTimmsAutoAugmentGivenTheSameDraws() throws Exception {
        Path dir = RandAugmentTest.dir();
        Map<String, Image> inputs = new HashMap<>();
        for (String n : List.of("a", "b")) {
            inputs.put(n, RandAugmentTest.image(Npy.read(dir.resolve(n + ".npy")), 0));
        }
        RandAugmentTest.Replay r = RandAugmentTest.replay("timm_aa_cases.txt", "timm_aa_ops.npy", inputs);
        assertEquals(36, r.cases());
        assertTrue(r.changed() >= 30, "most cases change the image: " + r.changed());
        assertEquals(List.of(), r.failures());
    }

    /** Each policy's 25 sub-policies (op, probability, magnitude) are the ones timm 0.6.13 builds. */
    @Test
    void policiesAreTimms() throws Exception {
        List<String> expected = Files.readAllLines(RandAugmentTest.dir().resolve("timm_aa_policies.txt"));
        List<String> actual = new ArrayList<>();
        for (AutoAugment.Policy p : AutoAugment.Policy.values()) {
            List<List<AugmentOp>> subs = p.subPolicies(0.5);
            for (int i = 0; i < subs.size(); i++) {
                List<String> steps = new ArrayList<>();
                for (AugmentOp op : subs.get(i)) {
                    assertEquals(0.5, op.magnitudeStd());
                    assertEquals(0, op.magnitudeMax()); // timm's None: clipped at 10
                    steps.add(op.op().timmName + " " + op.prob() + " " + (int) op.magnitude());
                }
                actual.add(p.timmName + " " + i + " | " + String.join(", ", steps));
            }
        }
        assertEquals(100, expected.size());
        assertEquals(expected, actual);
    }

    @Test
    void specParsesTimmGrammar() {
        for (AutoAugment.Policy p : AutoAugment.Policy.values()) {
            assertEquals(new AutoAugment.Spec(p, 0), AugmentSpec.parse(p.timmName, "--aa"));
            AugmentSpec noisy = AugmentSpec.parse(p.timmName + "-mstd0.5", "--aa");
            assertEquals(new AutoAugment.Spec(p, 0.5), noisy);
            assertEquals(p.timmName + "-mstd0.5", noisy.toString());
        }
        // mstd above 100 stays a normal's deviation (unlike RandAugment's); only an overflow is timm's uniform
        assertEquals(new AutoAugment.Spec(AutoAugment.Policy.V0, 101), AugmentSpec.parse("v0-mstd101", "--aa"));
        AugmentSpec uniform = AugmentSpec.parse("original-mstd1e400", "--aa");
        assertEquals(new AutoAugment.Spec(AutoAugment.Policy.ORIGINAL, Double.POSITIVE_INFINITY), uniform);
        assertEquals(uniform, AugmentSpec.parse(uniform.toString(), "--aa"));
        assertInstanceOf(RandAugment.Spec.class, AugmentSpec.parse("rand-m9-mstd0.5-inc1", "--aa"));
    }

    @Test
    void badSpecsNameTheFlagTheSectionAndTheGrammar() {
        for (String[] c : new String[][] {
            {"autoaug", "--aa autoaug: unknown augmentation 'autoaug'"},
            {"original-m9", "--aa original-m9: unknown section 'm9' (AutoAugment takes only mstd)"},
            {"v0-mstdx", "unknown section 'mstdx'"},
            {"v0-", "unknown section ''"},
            {"v0r-mstd", "section 'mstd' needs a number after 'mstd'"},
            {"originalr-mstd0.5-mstd1", "mstd is given twice"},
            {"original-mstd1e400x", "needs a number after 'mstd'"},
            {"-mstd0.5", "unknown augmentation ''"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AugmentSpec.parse(c[0], "--aa"), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.getMessage().endsWith(AugmentSpec.GRAMMAR), e.getMessage());
            assertTrue(e.getMessage().contains("rand[-m<int>]") && e.getMessage().contains("v0|v0r|original|originalr")
                    && e.getMessage().contains("augmix[-m<int>]"), e.getMessage());
        }
    }

    /** Seeded draws repeat; under --aa the pipeline is AutoAugment with timm's fill and colour jitter is off. */
    @Test
    void seededAndCarriedByTheTrainAugmentation() throws Exception {
        Image a = RandAugmentTest.image(Npy.read(RandAugmentTest.dir().resolve("a.npy")), 0);
        TrainAugmentation aug = new TrainAugmentation(null, AugmentSpec.parse("original-mstd0.5", "--aa"), 0.4, 0,
                RandomErasing.Mode.PIXEL, 1);
        assertEquals(false, aug.jitterApplies());
        List<Transform> steps = aug.aaOrColourJitter(Normalize.IMAGENET);
        assertEquals(1, steps.size());
        AutoAugment aa = assertInstanceOf(AutoAugment.class, steps.get(0));
        assertEquals("AutoAugment(original-mstd0.5, fill 124,116,104, resample random)", aa.toString());
        assertTrue(aug.toString().contains("aa original-mstd0.5, color-jitter 0.4 (off: timm disables it under aa)"),
                aug.toString());
        assertArrayEquals(aa.apply(a, new Random(3)).rgb(), aa.apply(a, new Random(3)).rgb());
        int changed = 0;
        for (int seed = 0; seed < 20; seed++) {
            changed += Arrays.equals(aa.apply(a, new Random(seed)).rgb(), a.rgb()) ? 0 : 1;
        }
        assertTrue(changed >= 10 && changed < 20, "changed " + changed);
    }
}

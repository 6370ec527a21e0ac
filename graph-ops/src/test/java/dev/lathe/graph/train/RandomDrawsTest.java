package dev.lathe.graph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** In-graph random draws: bit-equal to the Java reference, reproducible per seed across sessions, and random enough. */
class RandomDrawsTest {
    private static final int N = 100_000;

    private static Model draws() {
        GraphBuilder b = new GraphBuilder("draws", 17);
        Value seed = b.input(TrainStep.SEED, DataType.INT64);
        Ops o = b.ops();
        b.output(RandomDraws.uniform(o, seed, 0, N), "u");
        b.output(RandomDraws.uniform(o, seed, 5, 4, 25_000), "u5");
        b.output(RandomDraws.normal(o, seed, 0, N), "z");
        return b.build();
    }

    private static Map<String, float[]> run(Model m, long seed) throws Exception {
        return OrtParity.runFloats(m, Map.of(TrainStep.SEED, Tensor.ofLongs(new long[0], seed)),
                OrtParity.Settings.DEPLOYED);
    }

    @Test
    void graphDrawsEqualTheJavaReferenceBitForBit() throws Exception {
        for (long seed : new long[] {0, 7, -3, 1L << 40}) {
            Map<String, float[]> out = run(draws(), seed);
            float[] u = out.get("u");
            float[] u5 = out.get("u5");
            for (int i = 0; i < N; i++) {
                assertEquals(RandomDraws.reference(seed, 0, i), u[i], 0f, "seed " + seed + " element " + i);
                assertEquals(RandomDraws.reference(seed, 5, i), u5[i], 0f, "stream 5, element " + i);
            }
        }
    }

    @Test
    void theSameSeedDrawsTheSameInAFreshSessionAndAnotherSeedDoesNot() throws Exception {
        float[] first = run(draws(), 12).get("u");
        float[] resumed = run(draws(), 12).get("u"); // a new model and session, as after a resume
        assertArrayEquals(first, resumed);
        float[] next = run(draws(), 13).get("u");
        assertTrue(Math.abs(correlation(first, next, 0)) < 0.02, "consecutive seeds are uncorrelated");
    }

    @Test
    void uniformAndNormalDrawsHaveTheirMomentsAndNoNeighbourCorrelation() throws Exception {
        Map<String, float[]> out = run(draws(), 2026);
        float[] u = out.get("u");
        double mean = 0;
        double min = 1;
        double max = 0;
        int[] bins = new int[16];
        for (float v : u) {
            mean += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
            bins[(int) (v * 16)]++;
        }
        mean /= N;
        assertTrue(min > 0 && max < 1, "open interval: " + min + ".." + max);
        assertEquals(0.5, mean, 0.005);
        assertEquals(1.0 / 12, variance(u, mean), 0.002);
        double chi2 = 0;
        for (int c : bins) {
            chi2 += (c - N / 16.0) * (c - N / 16.0) / (N / 16.0);
        }
        assertTrue(chi2 < 37.7, "16-bin chi-square " + chi2 + " (99.9% quantile for 15 dof: 37.7)");
        assertTrue(Math.abs(correlation(u, u, 1)) < 0.02, "lag-1 correlation " + correlation(u, u, 1));
        assertTrue(Math.abs(correlation(u, out.get("u5"), 0)) < 0.02, "streams are uncorrelated");

        float[] z = out.get("z");
        double zm = 0;
        for (float v : z) {
            zm += v;
        }
        zm /= N;
        assertEquals(0, zm, 0.02);
        assertEquals(1, variance(z, zm), 0.03);
    }

    @Test
    void relaxedBernoulliIsTheBinaryConcreteSampleAndHasAShape() throws Exception {
        GraphBuilder b = new GraphBuilder("concrete", 17);
        Value logits = b.input("logits", DataType.FLOAT, 6);
        Value u = b.input("u", DataType.FLOAT, 6);
        Value y = RandomDraws.relaxedBernoulli(b.ops(), logits, u, 0.5);
        assertEquals(Shape.of(new long[] {6}), y.shape());
        b.output(y, "y");
        float[] l = {-3f, -0.5f, 0f, 0.2f, 1f, 4f};
        float[] uu = {0.01f, 0.3f, 0.5f, 0.5f, 0.9f, 0.999f};
        float[] out = OrtParity.runFloats(b.build(), Map.of("logits", Tensor.ofFloats(new long[] {6}, l), "u",
                Tensor.ofFloats(new long[] {6}, uu)), OrtParity.Settings.DEPLOYED).get("y");
        for (int i = 0; i < 6; i++) {
            // PyTorch's RelaxedBernoulli.rsample: sigmoid((logits + log u - log1p(-u)) / T)
            double expected = 1 / (1 + Math.exp(-(l[i] + Math.log(uu[i]) - Math.log1p(-uu[i])) / 0.5));
            assertEquals(expected, out[i], 1e-6);
        }
    }

    @Test
    void onnxRandomOpsHaveShapeRules() {
        GraphBuilder b = new GraphBuilder("random", 17);
        Value x = b.input("x", DataType.FLOAT, 2, 3);
        Value r = b.op("RandomNormal", java.util.List.of(), Map.of("shape", dev.lathe.graph.ir.Attr.of(4L, 5L)));
        assertEquals(Shape.of(new long[] {4, 5}), r.shape());
        assertEquals(DataType.FLOAT, r.dtype());
        Value like = b.op("RandomUniformLike", java.util.List.of(x), Map.of("dtype",
                dev.lathe.graph.ir.Attr.of((long) DataType.DOUBLE.code())));
        assertEquals(Shape.of(new long[] {2, 3}), like.shape());
        assertEquals(DataType.DOUBLE, like.dtype());
        Node bern = b.op("Bernoulli", java.util.List.of(x), Map.of(), 1).get(0).producer();
        ShapeInference.inferNode(bern, 17);
        assertEquals(DataType.FLOAT, bern.output(0).dtype());
    }

    private static double variance(float[] v, double mean) {
        double s = 0;
        for (float x : v) {
            s += (x - mean) * (x - mean);
        }
        return s / (v.length - 1);
    }

    /** Pearson correlation of a[i] and b[i + lag]. */
    private static double correlation(float[] a, float[] b, int lag) {
        int n = a.length - lag;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i + lag];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a[i] - ma;
            double db = b[i + lag] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return sab / Math.sqrt(saa * sbb);
    }
}

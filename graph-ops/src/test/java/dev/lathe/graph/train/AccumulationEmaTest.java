package dev.lathe.graph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gradient accumulation: two micro-batches of 8 accumulated in-graph give the same update as one batch of 16 (a
 * BatchNorm-free model, where batch composition does not change the forward), for SGD with momentum and decay and
 * for AdamW with clipping; a micro-batch that does not apply leaves weights and optimizer state bit-identical. EMA:
 * the moving average output is d * ema + (1 - d) * updated weight.
 */
class AccumulationEmaTest {
    private static final long[] IMAGE = {3, 8, 8};

    private static Model net() {
        GraphBuilder b = new GraphBuilder("bn_free", 17);
        Nn nn = new Nn(b, 5);
        Value x = b.input("input", DataType.FLOAT, "N", IMAGE[0], IMAGE[1], IMAGE[2]);
        x = b.ops().relu(nn.conv2d("conv1", x, 6, ConvAttrs.of(3, 1, 1), true));
        x = b.ops().relu(nn.conv2d("conv2", x, 8, ConvAttrs.of(3, 2, 1), true));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 5, true), "logits");
        return b.build();
    }

    private static Tensor images(int from, int n) {
        int per = (int) (IMAGE[0] * IMAGE[1] * IMAGE[2]);
        float[] all = new float[16 * per];
        Random r = new Random(11);
        for (int i = 0; i < all.length; i++) {
            all[i] = (float) r.nextGaussian();
        }
        float[] part = new float[n * per];
        System.arraycopy(all, from * per, part, 0, part.length);
        return Tensor.ofFloats(new long[] {n, IMAGE[0], IMAGE[1], IMAGE[2]}, part);
    }

    private static Tensor labels(int from, int n) {
        long[] all = {0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2};
        long[] part = new long[n];
        System.arraycopy(all, from, part, 0, n);
        return Tensor.ofLongs(new long[] {n}, part);
    }

    /** Runs one step; returns its outputs and the values of its state inputs for the next run. */
    private static Map<String, float[]> run(TrainStep step, Map<String, Tensor> weights, int from, int n, float apply)
            throws Exception {
        Map<String, Tensor> in = new HashMap<>(weights);
        in.put(step.input(), images(from, n));
        in.put(TrainStep.LABELS, labels(from, n));
        in.put(TrainStep.LR, Tensor.scalar(0.05f));
        if (step.accumulation() > 1) {
            in.put(TrainStep.APPLY_UPDATE, Tensor.scalar(apply));
        }
        return OrtParity.runFloats(step.train(), in, OrtParity.Settings.DEPLOYED);
    }

    private static Map<String, Tensor> initial(TrainStep step) {
        Map<String, Tensor> w = new HashMap<>();
        w.putAll(step.carried());
        return w;
    }

    /** The next state: every input {@code name} that has an output {@code name.next} takes it. */
    private static Map<String, Tensor> advance(Map<String, Tensor> weights, Map<String, float[]> out) {
        Map<String, Tensor> next = new HashMap<>();
        for (Map.Entry<String, Tensor> w : weights.entrySet()) {
            float[] v = out.get(TrainStep.next(w.getKey()));
            next.put(w.getKey(), v == null ? w.getValue() : Tensor.ofFloats(w.getValue().dims(), v));
        }
        return next;
    }

    private static void accumulatedEqualsFullBatch(TrainConfig full, TrainConfig micro) throws Exception {
        TrainStep big = TrainStepBuilder.build(AccumulationEmaTest.net(), full);
        Map<String, float[]> once = run(big, initial(big), 0, 16, 1);

        TrainStep small = TrainStepBuilder.build(AccumulationEmaTest.net(), micro.withAccumulation(2));
        assertEquals(2, small.accumulation());
        Map<String, Tensor> w0 = initial(small);
        Map<String, float[]> first = run(small, w0, 0, 8, 0);
        for (String p : big.params().keySet()) {
            assertArrayEquals(w0.get(p).toFloats(), first.get(TrainStep.next(p)), p + " moved before the update");
        }
        for (String s : big.state().keySet()) {
            assertArrayEquals(w0.get(s).toFloats(), first.get(TrainStep.next(s)), s + " moved before the update");
        }
        Map<String, float[]> second = run(small, advance(w0, first), 8, 8, 1);
        for (String p : big.params().keySet()) {
            Fixture.assertClose(p + " after 2 x 8 accumulated vs 16", Tensor.ofFloats(
                    big.params().get(p).dims(), once.get(TrainStep.next(p))), second.get(TrainStep.next(p)), 1e-5);
            float[] acc = second.get(TrainStep.next(p + TrainStep.GRAD_ACCUM));
            for (float v : acc) {
                assertEquals(0f, v, p + " accumulator not cleared after the update");
            }
        }
        for (String s : big.state().keySet()) {
            Fixture.assertClose(s + " after 2 x 8 accumulated vs 16", Tensor.ofFloats(
                    big.state().get(s).dims(), once.get(TrainStep.next(s))), second.get(TrainStep.next(s)), 1e-5);
        }
    }

    @Test
    void twoAccumulatedBatchesOfEightEqualOneBatchOfSixteenSgd() throws Exception {
        Optimizer sgd = new Optimizer.Sgd(0.9, true, 5e-4);
        accumulatedEqualsFullBatch(TrainConfig.of(new Loss.CrossEntropy(0.1), sgd, 16),
                TrainConfig.of(new Loss.CrossEntropy(0.1), sgd, 8));
    }

    @Test
    void twoAccumulatedBatchesOfEightEqualOneBatchOfSixteenAdamWClipped() throws Exception {
        Optimizer adam = new Optimizer.AdamW(0.9, 0.999, 1e-8, 0.05);
        accumulatedEqualsFullBatch(TrainConfig.of(new Loss.CrossEntropy(0), adam, 16).withClipNorm(0.5),
                TrainConfig.of(new Loss.CrossEntropy(0), adam, 8).withClipNorm(0.5));
    }

    @Test
    void emaMovesTowardsTheUpdatedWeights() throws Exception {
        TrainStep step = TrainStepBuilder.build(AccumulationEmaTest.net(),
                TrainConfig.of(new Loss.CrossEntropy(0), new Optimizer.Sgd(0.9, false, 0), 16).withEma(0.9));
        Map<String, float[]> out = run(step, initial(step), 0, 16, 1);
        for (Map.Entry<String, Tensor> p : step.params().entrySet()) {
            assertArrayEquals(p.getValue().toFloats(), step.state().get(p.getKey() + TrainStep.EMA).toFloats(),
                    p.getKey() + ": the EMA starts from the initial weights");
            float[] before = p.getValue().toFloats();
            float[] after = out.get(TrainStep.next(p.getKey()));
            float[] ema = out.get(TrainStep.next(p.getKey() + TrainStep.EMA));
            float[] expected = new float[before.length];
            boolean moved = false;
            for (int i = 0; i < before.length; i++) {
                expected[i] = 0.9f * before[i] + 0.1f * after[i];
                moved |= after[i] != before[i];
            }
            assertTrue(moved, p.getKey() + " did not move");
            Fixture.assertClose(p.getKey() + " EMA", Tensor.ofFloats(p.getValue().dims(), expected), ema,
                    1e-6);
        }
    }
}

package dev.lathe.runtime.ort.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.train.LossTerms;
import dev.lathe.graph.train.Objective;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.RandomDraws;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.train.Checkpoint;
import dev.lathe.runtime.train.LrSchedule;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step whose objective is more than a classifier loss: random draws keyed by the per-step seed, an extra input fed
 * by name, and an INT64 state counter. Killed and resumed, the run ends bit-equal to the uninterrupted one, so the
 * seed sequence, the extra feed and the typed state all continue exactly.
 */
class ObjectiveTrainerTest {
    private static final int BATCH = 8;
    private static final String COUNTER = "counter";
    private static final String SCALE = "noise_scale";

    @TempDir
    Path dir;

    private static Model net() {
        GraphBuilder b = new GraphBuilder("net", 17);
        Nn nn = new Nn(b, 3);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.conv2d("conv1", x, 16, ConvAttrs.of(3, 2, 1), true));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 5, true), "logits");
        return b.build();
    }

    /** CE plus 0.5 * mean(logits * u * s): u uniform draws of the step's seed, s an extra input. */
    private static TrainStep step() {
        Objective objective = Objective.of("ce", LossTerms.crossEntropy(0)).plus("noise", 0.5, ctx -> {
            Ops o = ctx.ops();
            Value u = RandomDraws.uniform(o, ctx.seed(), 0, ctx.batch(), ctx.classes());
            Value s = ctx.input(SCALE, DataType.FLOAT, 1);
            return o.reduceMean(o.mul(o.mul(ctx.logits(), u), s), false, 0, 1);
        });
        TrainStep step = TrainStepBuilder.build(net(), TrainConfig.of(objective, new Optimizer.Sgd(0.9, true, 0), BATCH));
        // an INT64 state the trainer must carry as it is: counter.next = counter + 1
        Model train = step.train();
        GraphBuilder edit = GraphBuilder.editing(train);
        Value counter = train.graph().addInput(new Value(COUNTER, dev.lathe.graph.ir.TensorType.of(DataType.INT64)));
        Value next = edit.ops().add(counter, edit.constant(Tensor.ofLongs(new long[0], 1)));
        next.setName(TrainStep.next(COUNTER));
        train.graph().addOutput(next);
        Map<String, Tensor> state = new LinkedHashMap<>(step.state());
        state.put(COUNTER, Tensor.ofLongs(new long[0], 0));
        return new TrainStep(train, step.eval(), step.input(), step.logits(), step.batch(), step.params(),
                step.buffers(), state, step.frozen(), step.accumulation());
    }

    private static final Trainer.ExtraInput SCALE_FEED = (globalStep, into) -> into.putFloat(0, 1f + globalStep % 3);

    private static final SyntheticDataset TRAIN = new SyntheticDataset(5, 3, 16, 8, 2, 4, 0);

    private Map<String, Tensor> run(Path out, long seed, int stopAfter, boolean resume) throws Exception {
        SyntheticDataset train = TRAIN;
        SyntheticDataset val = new SyntheticDataset(5, 3, 16, 4, 1, 4, 1);
        Trainer.Options opt = new Trainer.Options(3, LrSchedule.constant(0.05), seed, 2, out, resume, null, stopAfter);
        try (Trainer t = new Trainer(step(), opt, null, Map.of(SCALE, SCALE_FEED))) {
            t.fit(train, val);
            return t.weights();
        }
    }

    @Test
    void resumedRunDrawsTheSameNumbersFeedsTheSameInputsAndKeepsInt64State() throws Exception {
        Map<String, Tensor> straight = run(dir.resolve("straight"), 5, -1, false);
        Path interrupted = dir.resolve("interrupted");
        run(interrupted, 5, 1, false);
        Checkpoint ckpt = Checkpoint.read(interrupted.resolve(Trainer.CHECKPOINT));
        assertEquals(DataType.INT64, ckpt.tensors().get(COUNTER).dtype(), "typed state is checkpointed as it is");
        long stepsPerEpoch = ckpt.tensors().get(COUNTER).toLongs()[0];
        assertEquals(TRAIN.size() / BATCH, stepsPerEpoch);
        Map<String, Tensor> resumed = run(interrupted, 5, -1, true);

        assertEquals(3 * stepsPerEpoch, resumed.get(COUNTER).toLongs()[0]);
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k).toDoubles(), resumed.get(k).toDoubles(), k);
        }
        Map<String, Tensor> otherSeed = run(dir.resolve("other"), 6, -1, false);
        assertFalse(java.util.Arrays.equals(straight.get("fc.weight").toFloats(), otherSeed.get("fc.weight").toFloats()),
                "the draws depend on the seed, so they reach the weights");
    }

    @Test
    void aStepInputWithoutAFeedIsRefusedByName() {
        Trainer.Options opt = new Trainer.Options(1, LrSchedule.constant(0), 0, 2, null, false, null, -1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(step(), opt));
        assertTrue(e.getMessage().contains("'" + SCALE + "'") && e.getMessage().contains("ExtraInput"),
                e.getMessage());
    }

    @Test
    void theSeedOfAStepIsAFunctionOfTheRunSeedAndTheStep() {
        assertEquals(Trainer.seedOf(5, 17), Trainer.seedOf(5, 17));
        assertTrue(Trainer.seedOf(5, 17) != Trainer.seedOf(5, 18) && Trainer.seedOf(5, 17) != Trainer.seedOf(6, 17));
        ByteBuffer unused = ByteBuffer.allocate(4);
        SCALE_FEED.fill(4, unused);
        assertEquals(2f, unused.getFloat(0));
    }
}

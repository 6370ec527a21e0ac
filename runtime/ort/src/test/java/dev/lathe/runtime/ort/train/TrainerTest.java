package dev.lathe.runtime.ort.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.train.Checkpoint;
import dev.lathe.runtime.train.EpochMetrics;
import dev.lathe.runtime.train.LrSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    /** A small CIFAR-style ResNet: stem, one basic block, one strided block, pool, linear. */
    static Model smallResNet(int classes, int width) {
        GraphBuilder b = new GraphBuilder("tiny_resnet", 17);
        Nn nn = new Nn(b, 7);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, width, ConvAttrs.same(3), false)));
        try (var s = b.scope("layer1")) {
            Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, width, ConvAttrs.same(3), false)));
            y = nn.batchNorm2d("bn2", nn.conv2d("conv2", y, width, ConvAttrs.same(3), false));
            x = b.ops().relu(dev.lathe.graph.train.DropPath.mark(b.ops().add(y, x), 0, "layer1"));
        }
        try (var s = b.scope("layer2")) {
            Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 2 * width, ConvAttrs.of(3, 2, 1), false)));
            y = nn.batchNorm2d("bn2", nn.conv2d("conv2", y, 2 * width, ConvAttrs.same(3), false));
            Value sc = nn.batchNorm2d("ds_bn", nn.conv2d("ds", x, 2 * width, ConvAttrs.of(1, 2, 0), false));
            x = b.ops().relu(dev.lathe.graph.train.DropPath.mark(b.ops().add(y, sc), 0, "layer2"));
        }
        x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        b.output(nn.linear("fc", x, classes, true), "logits");
        return b.build();
    }

    @Test
    void fixedSeedRunReachesNinetyPercentOnSyntheticData() throws Exception {
        int classes = 10;
        SyntheticDataset train = new SyntheticDataset(classes, 3, 16, 64, 1, 11, 0);
        SyntheticDataset val = new SyntheticDataset(classes, 3, 16, 20, 1, 11, 1);
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0.0), new Optimizer.Sgd(0.9, true, 5e-4), 32);
        TrainStep step = TrainStepBuilder.build(smallResNet(classes, 12), cfg);
        int epochs = 6;
        try (Trainer t = new Trainer(step, new Trainer.Options(epochs, LrSchedule.cosine(0.1, 1, epochs), 3, 2, dir,
                false, System.err, -1))) {
            List<EpochMetrics> h = t.fit(train, val);
            EpochMetrics last = h.get(h.size() - 1);
            assertTrue(last.valTop1() >= 0.9, "validation top-1 " + last.valTop1());
            assertTrue(last.trainLoss() < h.get(0).trainLoss());
            Path exported = dir.resolve("trained.onnx");
            t.exportInference(smallResNet(classes, 12), exported);
            assertTrue(Files.size(exported) > 0);
        }
        assertEquals(epochs + 1, Files.readAllLines(dir.resolve("metrics.csv")).size());
        assertEquals(epochs, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
        assertTrue(Onnx.load(dir.resolve("trained.onnx")).graph().initializer("fc.weight") != null);
    }

    private Map<String, float[]> run(Path out, int stopAfter, boolean resume) throws Exception {
        return run(out, stopAfter, resume, false);
    }

    /** {@code regularised}: mixup/cutmix soft targets (KL step) and drop path 0.3 on the two residual joins. */
    private Map<String, float[]> run(Path out, int stopAfter, boolean resume, boolean regularised) throws Exception {
        SyntheticDataset train = new SyntheticDataset(4, 3, 16, 24, 2, 5, 0);
        SyntheticDataset val = new SyntheticDataset(4, 3, 16, 8, 1, 5, 1);
        TrainConfig cfg = TrainConfig.of(regularised ? new Loss.KlDivergence() : new Loss.CrossEntropy(0.1),
                new Optimizer.AdamW(0.9, 0.999, 1e-8, 0.05), 16).withClipNorm(2.0).withDropPath(regularised ? 0.3 : 0);
        dev.lathe.runtime.data.Mixup mixup = regularised ? new dev.lathe.runtime.data.Mixup(0.8, 1.0, null, 1.0, 0.5,
                dev.lathe.runtime.data.Mixup.Mode.ELEM, 0.1, 4) : null;
        // width 16: the 3x3 Convs fill ORT's NCHWc blocks (8 or 16), so the CPU trainer's blocked-kernel path is the
        // one whose resume must be exact
        TrainStep step = TrainStepBuilder.build(smallResNet(4, 16), cfg);
        try (Trainer t = new Trainer(step, new Trainer.Options(3, LrSchedule.cosine(3e-3, 1, 3), 9, 2, out, resume,
                null, stopAfter), null, Map.of(), mixup)) {
            t.fit(train, val);
            Map<String, float[]> w = new java.util.LinkedHashMap<>();
            t.weights().forEach((k, v) -> w.put(k, v.toFloats()));
            return w;
        }
    }

    @Test
    void killedAndResumedRunEndsWithTheSameWeights() throws Exception {
        Map<String, float[]> straight = run(dir.resolve("straight"), -1, false);
        Path interrupted = dir.resolve("interrupted");
        Map<String, float[]> afterOne = run(interrupted, 1, false);
        assertEquals(1, Checkpoint.read(interrupted.resolve(Trainer.CHECKPOINT)).epochsDone());
        Map<String, float[]> resumed = run(interrupted, -1, true);
        assertEquals(straight.keySet(), resumed.keySet());
        boolean moved = false;
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k), resumed.get(k), k);
            moved |= !java.util.Arrays.equals(afterOne.get(k), straight.get(k));
        }
        assertTrue(moved, "epochs 2-3 must change the weights");
    }

    /** Mixup's batches come from (seed, epoch, batch) and drop path's masks from the step seed: resume is exact. */
    @Test
    void killedAndResumedRunWithMixupAndDropPathEndsWithTheSameWeights() throws Exception {
        Map<String, float[]> straight = run(dir.resolve("straight-reg"), -1, false, true);
        Path interrupted = dir.resolve("interrupted-reg");
        run(interrupted, 1, false, true);
        Map<String, float[]> resumed = run(interrupted, -1, true, true);
        Map<String, float[]> plain = run(dir.resolve("plain"), -1, false, false);
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k), resumed.get(k), k);
        }
        assertTrue(straight.keySet().stream().anyMatch(k -> !java.util.Arrays.equals(straight.get(k), plain.get(k))),
                "mixup and drop path change the run");
    }

    /** A BatchNorm-free net, so a teacher copy in inference mode computes exactly what the student does in training. */
    private static Model bnFree(long seed) {
        GraphBuilder b = new GraphBuilder("bn_free", 17);
        Nn nn = new Nn(b, seed);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.conv2d("conv1", x, 8, ConvAttrs.of(3, 2, 1), true));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 5, true), "logits");
        return b.build();
    }

    /**
     * Distillation: the trainer runs the teacher on each batch into the step's teacher_logits. With alpha 1 the loss
     * is T^2 KL(teacher || student), 0 when the teacher is the student itself and positive for another teacher.
     */
    @Test
    void distillationFeedsTheTeachersLogits() throws Exception {
        SyntheticDataset data = new SyntheticDataset(5, 3, 16, 8, 1, 4, 0);
        TrainConfig cfg = TrainConfig.of(new Loss.Distillation(2.0, 1.0, 0), new Optimizer.Sgd(0, false, 0), 8);
        TrainStep step = TrainStepBuilder.build(bnFree(1), cfg);
        int[] order = Trainer.shuffle(data.size(), new java.util.Random(1));
        Trainer.Options opt = new Trainer.Options(1, LrSchedule.constant(0), 0, 2, null, false, null, -1);
        try (Trainer same = new Trainer(step, opt, bnFree(1))) {
            same.loadBatch(data, order, 0);
            float loss = same.step(0)[0];
            assertTrue(Math.abs(loss) < 1e-5, "KL of the student against itself: " + loss);
        }
        try (Trainer other = new Trainer(step, opt, bnFree(2))) {
            other.loadBatch(data, order, 0);
            float loss = other.step(0)[0];
            assertTrue(loss > 1e-3, "KL against a different teacher: " + loss);
        }
        assertThrows(IllegalArgumentException.class, () -> new Trainer(step, opt));
    }

    /**
     * KL (ISP's loss): the trainer feeds softmax(teacher logits) as the step's target_probs; the step's loss must be
     * KL(softmax(teacher) || softmax(student)) batch-mean, computed here from both models' logits run separately.
     */
    @Test
    void klStepTakesTheTeachersSoftmaxAsTarget() throws Exception {
        SyntheticDataset data = new SyntheticDataset(5, 3, 16, 8, 1, 4, 0);
        TrainConfig cfg = TrainConfig.of(new Loss.KlDivergence(), new Optimizer.Sgd(0, false, 0), 8);
        TrainStep step = TrainStepBuilder.build(bnFree(1), cfg);
        int[] order = Trainer.shuffle(data.size(), new java.util.Random(1));
        Trainer.Options opt = new Trainer.Options(1, LrSchedule.constant(0), 0, 2, null, false, null, -1);
        float loss;
        try (Trainer t = new Trainer(step, opt, bnFree(2))) {
            t.loadBatch(data, order, 0);
            loss = t.step(0)[0];
        }
        java.nio.FloatBuffer images = java.nio.FloatBuffer.allocate(8 * 3 * 16 * 16);
        for (int i = 0; i < 8; i++) {
            data.fill(order[i], images);
        }
        float[][] student = logits(bnFree(1), images.array());
        float[][] teacher = logits(bnFree(2), images.array());
        double expected = 0;
        for (int n = 0; n < 8; n++) {
            double[] p = softmax(teacher[n]);
            double[] q = softmax(student[n]);
            for (int c = 0; c < p.length; c++) {
                expected += p[c] * (Math.log(p[c]) - Math.log(q[c])) / 8;
            }
        }
        assertTrue(expected > 1e-4, "two different nets disagree: " + expected);
        assertEquals(expected, loss, 1e-5 * (1 + expected)); // tolerance: float32 logits and log-softmax in ORT
        assertThrows(IllegalArgumentException.class, () -> new Trainer(step, opt));
    }

    /**
     * Mixup/CutMix: the loader mixes each batch and the trainer feeds its soft targets as the KL step's target_probs;
     * the run is the same for any loader worker count, and a step without target_probs is refused.
     */
    @Test
    void mixupFeedsSoftTargetsToTheKlStepForAnyWorkerCount() throws Exception {
        SyntheticDataset data = new SyntheticDataset(5, 3, 16, 8, 1, 4, 0);
        SyntheticDataset val = new SyntheticDataset(5, 3, 16, 2, 1, 4, 1);
        TrainStep step = TrainStepBuilder.build(smallResNet(5, 4),
                TrainConfig.of(new Loss.KlDivergence(), new Optimizer.Sgd(0.9, true, 0), 8));
        dev.lathe.runtime.data.Mixup mix = new dev.lathe.runtime.data.Mixup(0.8, 1.0, null, 1.0, 0.5,
                dev.lathe.runtime.data.Mixup.Mode.ELEM, 0.1, 5);
        double[] losses = new double[2];
        int k = 0;
        for (int workers : new int[] {1, 3}) {
            Trainer.Options opt = new Trainer.Options(1, LrSchedule.constant(0.05), 3, 2, null, false, null, -1,
                    workers);
            try (Trainer t = new Trainer(step, opt, null, Map.of(), mix)) {
                losses[k++] = t.fit(data, val).get(0).trainLoss();
            }
        }
        assertTrue(Double.isFinite(losses[0]) && losses[0] > 0, "loss " + losses[0]);
        assertEquals(losses[0], losses[1], 0.0, "1 and 3 loader workers");
        TrainStep ce = TrainStepBuilder.build(smallResNet(5, 4),
                TrainConfig.of(new Loss.CrossEntropy(0), new Optimizer.Sgd(0.9, true, 0), 8));
        Trainer.Options opt = new Trainer.Options(1, LrSchedule.constant(0.05), 3, 2, null, false, null, -1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Trainer(ce, opt, null, Map.of(), mix))
                .getMessage().contains("target_probs"));
    }

    private static float[][] logits(Model m, float[] images) throws Exception {
        float[] flat = OrtParity.runFloats(m, Map.of("input", Tensor.ofFloats(new long[] {8, 3, 16, 16}, images)),
                OrtParity.Settings.ORT_DEFAULTS).get("logits");
        float[][] rows = new float[8][];
        for (int i = 0; i < 8; i++) {
            rows[i] = java.util.Arrays.copyOfRange(flat, i * flat.length / 8, (i + 1) * flat.length / 8);
        }
        return rows;
    }

    private static double[] softmax(float[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            e[i] = Math.exp(z[i] - max);
            sum += e[i];
        }
        for (int i = 0; i < z.length; i++) {
            e[i] /= sum;
        }
        return e;
    }
}

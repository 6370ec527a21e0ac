package dev.lathe.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.runtime.data.SyntheticDataset;
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
            x = b.ops().relu(b.ops().add(y, x));
        }
        try (var s = b.scope("layer2")) {
            Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 2 * width, ConvAttrs.of(3, 2, 1), false)));
            y = nn.batchNorm2d("bn2", nn.conv2d("conv2", y, 2 * width, ConvAttrs.same(3), false));
            Value sc = nn.batchNorm2d("ds_bn", nn.conv2d("ds", x, 2 * width, ConvAttrs.of(1, 2, 0), false));
            x = b.ops().relu(b.ops().add(y, sc));
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
        TrainStep step = TrainStepBuilder.build(() -> smallResNet(classes, 12), cfg);
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
        SyntheticDataset train = new SyntheticDataset(4, 3, 16, 24, 2, 5, 0);
        SyntheticDataset val = new SyntheticDataset(4, 3, 16, 8, 1, 5, 1);
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0.1), new Optimizer.AdamW(0.9, 0.999, 1e-8, 0.05), 16)
                .withClipNorm(2.0);
        TrainStep step = TrainStepBuilder.build(() -> smallResNet(4, 6), cfg);
        try (Trainer t = new Trainer(step, new Trainer.Options(3, LrSchedule.cosine(3e-3, 1, 3), 9, 2, out, resume,
                null, stopAfter))) {
            t.fit(train, val);
            return t.weights();
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
}

package dev.lathe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruneCommandTest {
    @TempDir
    Path dir;

    private Path smallCnn() throws Exception {
        GraphBuilder b = new GraphBuilder("cnn", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 16, ConvAttrs.same(3), false)));
        Value y = b.ops().relu(nn.batchNorm2d("bn2", nn.conv2d("conv2", x, 16, ConvAttrs.same(3), false)));
        x = b.ops().add(x, y);
        x = b.ops().relu(nn.batchNorm2d("bn3", nn.conv2d("conv3", x, 32, ConvAttrs.of(3, 2, 1), false)));
        x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        b.output(nn.linear("fc", x, 10, true), "logits");
        Path p = dir.resolve("cnn.onnx");
        Onnx.save(b.build(), p);
        return p;
    }

    private record Run(int code, String out, String err) {}

    private static Run lathe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void prunesWritesPlanAndReplaysIt() throws Exception {
        Path model = smallCnn();
        Path out = dir.resolve("pruned.onnx");
        Path plan = dir.resolve("plan.json");
        Run r = lathe("prune", model.toString(), "--criterion", "l1", "--ratio", "0.5", "--round-to", "4",
                "--plan-out", plan.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("total"), r.out());
        assertTrue(r.out().contains("conv1"), r.out());
        Model pruned = Onnx.load(out);
        long before = ModelCounter.count(Onnx.load(model)).params();
        long after = ModelCounter.count(pruned).params();
        assertTrue(after < before, after + " vs " + before);
        assertEquals(8, pruned.graph().initializer("conv1.weight").constValue().dim(0));
        assertTrue(r.out().contains(String.valueOf(after)), "table shows the counted params " + after);

        Path replayed = dir.resolve("replayed.onnx");
        Run r2 = lathe("prune", model.toString(), "--plan", plan.toString(), "-o", replayed.toString());
        assertEquals(0, r2.code(), r2.err());
        assertEquals(after, ModelCounter.count(Onnx.load(replayed)).params());
    }

    @Test
    void targetMacsKeepsAboutHalf() throws Exception {
        Path model = smallCnn();
        Path out = dir.resolve("half.onnx");
        Run r = lathe("prune", model.toString(), "--target-macs", "0.5", "--global", "--round-to", "1", "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        long before = ModelCounter.count(Onnx.load(model)).macs();
        long after = ModelCounter.count(Onnx.load(out)).macs();
        assertTrue(after <= before / 2 && after > before / 4, after + " of " + before);
    }

    @Test
    void gradientCriteriaSayTheyNeedGradients() throws Exception {
        Run r = lathe("prune", smallCnn().toString(), "--criterion", "cic", "--ratio", "0.3", "-o",
                dir.resolve("x.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("needs gradients"), r.err());
        assertTrue(!Files.exists(dir.resolve("x.onnx")));
    }

    @Test
    void cicReadsPerClassGradientsFromData() throws Exception {
        Path model = smallCnn();
        Model m = Onnx.load(model);
        java.util.Random r = new java.util.Random(2);
        java.util.List<dev.lathe.pruning.importance.GradientSet.Batch> batches = new java.util.ArrayList<>();
        for (int cls : new int[] {0, 1, 1, 2}) {
            java.util.Map<String, dev.lathe.graph.ir.Tensor> g = new java.util.LinkedHashMap<>();
            for (Value v : m.graph().initializers().values()) {
                float[] f = new float[(int) v.constValue().numel()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) r.nextGaussian();
                }
                g.put(v.name(), dev.lathe.graph.ir.Tensor.ofFloats(v.constValue().dims(), f));
            }
            batches.add(new dev.lathe.pruning.importance.GradientSet.Batch(cls, g));
        }
        Path grads = dir.resolve("grads.onnx");
        new dev.lathe.pruning.importance.GradientSet(batches).save(grads);
        Path out = dir.resolve("cic.onnx");
        Run run = lathe("prune", model.toString(), "--criterion", "cic", "--cic-alpha", "1.0", "--data",
                grads.toString(), "--ratio", "0.3", "--global", "--round-to", "1", "-o", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(ModelCounter.count(Onnx.load(out)).params() < ModelCounter.count(m).params());
    }

    @Test
    void ratioAndTargetAreExclusive() throws Exception {
        Run r = lathe("prune", smallCnn().toString(), "--ratio", "0.3", "--target-macs", "0.5", "-o",
                dir.resolve("x.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("exactly one"), r.err());
    }

    @Test
    void targetParamsKeepsAboutHalfOfTheParameters() throws Exception {
        Path model = smallCnn();
        Path out = dir.resolve("half_params.onnx");
        Run r = lathe("prune", model.toString(), "--target-params", "0.5", "--global", "--round-to", "1", "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        long before = ModelCounter.count(Onnx.load(model)).params();
        long after = ModelCounter.count(Onnx.load(out)).params();
        assertTrue(after <= before / 2 && after > before / 4, after + " of " + before);
        Run both = lathe("prune", model.toString(), "--target-params", "0.5", "--target-macs", "0.5", "-o",
                dir.resolve("y.onnx").toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("exactly one"), both.err());
    }

    @Test
    void iterativePruningTakesStepsAndFineTunesBetweenThem() throws Exception {
        Path model = smallCnn();
        String data = "synthetic:classes=10,size=16,per-class=3,val-per-class=1";
        Path tuned = dir.resolve("steps_tuned.onnx");
        Run r = lathe("prune", model.toString(), "--ratio", "0.5", "--round-to", "1", "--steps", "2", "--finetune-epochs", "1",
                "--finetune-lr", "0.05", "--data", data, "-o", tuned.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step 1/2") && r.out().contains("step 2/2"), r.out());
        assertTrue(r.out().contains("fine-tuned 1 epoch"), r.out());
        // Two steps of 1 - sqrt(0.5) each: 16 -> floor(16 * 0.7071) = 11 -> floor(11 * 0.7071) = 7 channels.
        Model m = Onnx.load(tuned);
        assertEquals(7, m.graph().initializer("conv1.weight").constValue().dim(0));
        long before = ModelCounter.count(Onnx.load(model)).params();
        assertTrue(ModelCounter.count(m).params() < before);

        // The same steps without fine-tuning cut the same channels (L1 on a fine-tuned model may differ, so only
        // the counts are compared) but leave the weights untouched by training.
        Path plain = dir.resolve("steps_plain.onnx");
        Run p = lathe("prune", model.toString(), "--ratio", "0.5", "--round-to", "1", "--steps", "2", "-o",
                plain.toString());
        assertEquals(0, p.code(), p.err());
        Model mp = Onnx.load(plain);
        assertEquals(7, mp.graph().initializer("conv1.weight").constValue().dim(0));
        assertTrue(!java.util.Arrays.equals(mp.graph().initializer("fc.weight").constValue().toFloats(),
                m.graph().initializer("fc.weight").constValue().toFloats()), "fine-tuning changed the weights");
    }

    @Test
    void iterativeMacsTargetIsReachedOverSteps() throws Exception {
        Path model = smallCnn();
        Path out = dir.resolve("steps_macs.onnx");
        Run r = lathe("prune", model.toString(), "--target-macs", "0.5", "--round-to", "1", "--steps", "3", "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step 3/3"), r.out());
        long before = ModelCounter.count(Onnx.load(model)).macs();
        long after = ModelCounter.count(Onnx.load(out)).macs();
        assertTrue(after <= before / 2 && after > before / 4, after + " of " + before);
    }

    @Test
    void fineTuningNeedsTrainingData() throws Exception {
        Run r = lathe("prune", smallCnn().toString(), "--ratio", "0.3", "--steps", "2", "--finetune-epochs", "1",
                "-o", dir.resolve("x.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("needs training data"), r.err());
        assertTrue(!Files.exists(dir.resolve("x.onnx")));
    }

    @Test
    void aMissedTargetFailsWithoutWritingUnlessPartialIsAllowed() throws Exception {
        Path model = smallCnn();
        Path out = dir.resolve("partial.onnx");
        // no layer may lose more than half its channels, so 20% of the MACs is out of reach
        Run missed = lathe("prune", model.toString(), "--target-macs", "0.2", "--max-ratio", "0.5", "-o",
                out.toString());
        assertEquals(2, missed.code(), missed.out());
        assertTrue(missed.err().contains("the target was 20.00% of the MACs") && missed.err().contains("nothing written"),
                missed.err());
        assertTrue(missed.out().contains("channel counts rounded to multiples of") && missed.out().contains("auto"),
                missed.out());
        assertFalse(Files.exists(out), "a missed target writes nothing");

        Run partial = lathe("prune", model.toString(), "--target-macs", "0.2", "--max-ratio", "0.5",
                "--allow-partial", "-o", out.toString());
        assertEquals(0, partial.code(), partial.err());
        assertTrue(partial.out().contains("partial: the target was 20.00% of the MACs"), partial.out());
        assertTrue(Files.exists(out));
    }

    @Test
    void bnCriterionOnAModelWithoutBatchNormNamesTheCriteriaThatWork() throws Exception {
        GraphBuilder b = new GraphBuilder("folded", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 8, 8);
        x = b.ops().relu(nn.conv2d("conv1", x, 16, ConvAttrs.same(3), true));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 4, true), "logits");
        Path model = dir.resolve("folded.onnx");
        Onnx.save(b.build(), model);
        Run r = lathe("prune", model.toString(), "--criterion", "bn", "--ratio", "0.5", "-o",
                dir.resolve("x.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has none") && r.err().contains("l1") && !r.err().contains("bn,"), r.err());
    }

    @Test
    void gradientsRunOnTheNamedRuntimeAndAnUnknownOneIsOneLine() throws Exception {
        Run r = lathe("prune", smallCnn().toString(), "--criterion", "taylor", "--data", "synthetic:classes=10,size=16",
                "--ratio", "0.3", "--runtime", "trt", "-o", dir.resolve("x.onnx").toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("trt") && r.err().contains("ort-cpu"), r.err());
        Run ok = lathe("prune", smallCnn().toString(), "--criterion", "taylor", "--data",
                "synthetic:classes=10,size=16", "--ratio", "0.3", "--round-to", "1", "--runtime", "ort-cpu", "-o",
                dir.resolve("y.onnx").toString());
        assertEquals(0, ok.code(), ok.err());
    }
}

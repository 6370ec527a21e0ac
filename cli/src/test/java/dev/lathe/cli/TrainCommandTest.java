package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.runtime.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe train}, {@code --resume}, {@code lathe eval} and the training options (logit-adjusted loss, EMA,
 * gradient accumulation, export with BN folding) through {@link Main#run} on a tiny ONNX model.
 */
class TrainCommandTest {
    @TempDir
    Path dir;


    private Path tinyModel() throws Exception {
        GraphBuilder b = new GraphBuilder("tiny", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.batchNorm2d("bn", nn.conv2d("conv", x, 8, ConvAttrs.of(3, 2, 1), false)));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 4, true), "logits");
        Path model = dir.resolve("tiny.onnx");
        Onnx.save(b.build(), model);
        return model;
    }

    /** timm's schedule flags: the per-epoch rates are timm's (warm-up from --warmup-lr, cosine, cooldown at --min-lr). */
    @Test
    void timmScheduleFlagsRunTimmsCosineWithCooldownEpochs() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=16,val-per-class=4,seed=3";
        Path out = dir.resolve("timm");
        CliRun r = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "2", "--batch", "16",
                "--lr", "0.05", "--warmup-epochs", "1", "--warmup-lr", "0.001", "--min-lr", "0.0001",
                "--cooldown-epochs", "1", "--smoothing", "0.1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("schedule: timm cosine") && r.out().contains("2 epochs + 1 cooldown"), r.out());
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(4, rows.size(), "header and 2 + 1 epochs");
        double[] expected = {0.001, 0.0001 + 0.5 * (0.05 - 0.0001), 0.0001};
        for (int e = 0; e < 3; e++) {
            assertEquals(expected[e], Double.parseDouble(rows.get(e + 1).split(",")[1]), 1e-12, "epoch " + e);
        }
        for (String[] bad : new String[][] {{"--sched", "multistep", "--min-lr", "0.001"},
            {"--warmup", "1", "--warmup-epochs", "1"}, {"--smoothing", "0.1", "--label-smoothing", "0.1"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--onnx", model.toString(), "--data", data,
                    "--out", dir.resolve("bad").toString()));
            args.addAll(List.of(bad));
            CliRun b = lathe(args.toArray(new String[0]));
            assertEquals(2, b.code(), String.join(" ", bad) + ": " + b.err());
            assertEquals(1, b.err().strip().lines().count(), b.err());
        }
    }

    /**
     * Multistep with --milestones and CIC's per-epoch warm-up (adjust_learning_rate of CIC's base_train.py: epoch < W:
     * lr * (epoch + 1) / W, then x0.1 for each milestone <= epoch), and plain momentum SGD.
     */
    @Test
    void multistepMilestonesAndPerEpochWarmupFollowCicsSchedule() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=8,val-per-class=2,seed=3";
        Path out = dir.resolve("multistep");
        CliRun r = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "5", "--batch", "16",
                "--lr", "0.08", "--opt", "momentum", "--sched", "multistep", "--milestones", "2,4,9", "--warmup", "2",
                "--warmup-per-epoch", "--threads", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("schedule: 1 of the milestones [2, 4, 9] are at or past the 5 epochs trained"),
                r.out());
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        double[] expected = {0.04, 0.08, 0.008, 0.008, 0.0008};
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], Double.parseDouble(rows.get(e + 1).split(",")[1]), 1e-12, "epoch " + e);
        }
        for (String[] bad : new String[][] {{"--milestones", "3,2"}, {"--milestones", "1,x"},
            {"--sched", "cosine", "--milestones", "2"}, {"--warmup-per-epoch"}, {"--opt", "lion"},
            {"--warmup-epochs", "1", "--warmup-per-epoch"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--onnx", model.toString(), "--data", data,
                    "--out", dir.resolve("bad").toString()));
            args.addAll(List.of(bad));
            CliRun b = lathe(args.toArray(new String[0]));
            assertEquals(2, b.code(), String.join(" ", bad) + ": " + b.err());
            String flag = java.util.Arrays.stream(bad).filter(a -> a.startsWith("--")).reduce((a, c) -> c).orElseThrow();
            assertTrue(b.err().contains(flag), flag + ": " + b.err());
        }
    }

    /**
     * --decay-all puts weight decay on the BN scale too: one plain-SGD step from the same start differs by exactly
     * lr * wd * w0 there (w0 = 1), and not at all on the conv weight, which decays either way.
     */
    @Test
    void decayAllDecaysNormsAndBiasesToo() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=4,val-per-class=1,seed=3";
        java.util.Map<String, float[]> runs = new java.util.HashMap<>();
        for (String mode : List.of("timm", "all")) {
            Path out = dir.resolve("decay-" + mode);
            List<String> args = new java.util.ArrayList<>(List.of("train", "--onnx", model.toString(), "--data", data,
                    "--epochs", "1", "--batch", "16", "--lr", "0.1", "--opt", "momentum", "--wd", "0.1", "--threads",
                    "1", "--workers", "1", "--out", out.toString()));
            if (mode.equals("all")) {
                args.add("--decay-all");
            }
            CliRun r = lathe(args.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
            Model trained = Onnx.load(out.resolve("model.onnx"));
            runs.put(mode + ":bn", trained.graph().initializers().get("bn.weight").constValue().toFloats());
            runs.put(mode + ":conv", trained.graph().initializers().get("conv.weight").constValue().toFloats());
        }
        float[] timm = runs.get("timm:bn");
        float[] all = runs.get("all:bn");
        for (int c = 0; c < timm.length; c++) {
            assertEquals(0.1 * 0.1 * 1.0, timm[c] - all[c], 1e-6, "bn.weight[" + c + "]");
        }
        assertArrayEquals(runs.get("timm:conv"), runs.get("all:conv"));
    }

    /** A model with a fixed image size fed images of another size is one line naming both, before anything trains. */
    @Test
    void fixedInputSizeMustMatchTheData() throws Exception {
        Path model = tinyModel(); // [N, 3, 16, 16]
        CliRun r = lathe("train", "--onnx", model.toString(), "--data", "synthetic:size=32,per-class=4", "--epochs",
                "1", "--out", dir.resolve("size").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("takes [N, 3, 16, 16] images, --data gives 32x32"), r.err());
        assertFalse(Files.exists(dir.resolve("size").resolve("checkpoint.bin")));
    }

    private static final List<String> TIMM_RECIPES = List.of("iieu-resnet", "iieu-mobilenetv2", "efficientmod");

    /** Recipes fill flags from data files; explicit flags win. */
    @Test
    void recipesFillFlagsAndDryRunPrintsTheAugmentation() throws Exception {
        CliRun dry = lathe("train", "--recipe", "iieu-resnet", "--batch", "64", "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("--lr                   0.025        (recipe, scaled by batch 64 / 256)"),
                dry.out());
        assertTrue(dry.out().contains("--batch                64           (given)"), dry.out());
        assertTrue(dry.out().contains("--cooldown-epochs      10           (recipe)"), dry.out());
        assertTrue(dry.out().contains("--aa                   rand-m7-mstd0.5-inc1 (recipe)"), dry.out());
        assertTrue(dry.out().contains("augmentation: interpolation random, aa rand-m7-n2-p0.5-mstd0.5-inc1,"
                + " color-jitter 0.4 (off: timm disables it under aa), reprob 0.4 (pixel, count 1..3)"), dry.out());
        CliRun auto = lathe("train", "--recipe", "iieu-resnet", "--aa", "original", "--dry-run");
        assertEquals(0, auto.code(), auto.err());
        assertTrue(auto.out().contains("augmentation: interpolation random, aa original, color-jitter 0.4 (off: timm"
                + " disables it under aa)"), auto.out());
        assertTrue(dry.out().contains("mixup/cutmix: off") && dry.out().contains("drop path: off"), dry.out());
        CliRun eff = lathe("train", "--recipe", "efficientmod", "--mixup", "0.5", "--dry-run");
        assertTrue(eff.out().contains("--mixup                0.5          (given)"), eff.out());
        assertTrue(eff.out().contains("mixup/cutmix: Mixup(mixup 0.5, cutmix 1.0, prob 1.0, switch 0.5, mode batch)"),
                eff.out());
        CliRun minmax = lathe("train", "--cutmix-minmax", "0.25,0.75", "--dry-run");
        assertTrue(minmax.out().contains("mixup/cutmix: Mixup(mixup 0.0, cutmix 1.0, cutmix minmax 0.25,0.75, prob 1.0,"
                + " switch 0.5, mode batch)"), minmax.out());
        for (String name : RecipeFile.NAMES) {
            CliRun r = lathe("train", "--recipe", name, "--dry-run");
            assertEquals(0, r.code(), name + ": " + r.err());
            assertTrue(r.out().startsWith("recipe: "), r.out());
        }
        CliRun cic = lathe("train", "--recipe", "cic-cifar", "--dry-run");
        assertTrue(cic.out().contains("--milestones           60,85        (recipe)")
                && cic.out().contains("--warmup               500          (recipe)")
                && cic.out().contains("--opt                  momentum     (recipe)"), cic.out());
        CliRun unknown = lathe("train", "--recipe", "deit", "--dry-run");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("not one of iieu-resnet"), unknown.err());
    }

    /** Every recipe trains a few steps on synthetic data (its flags, with a small batch, one epoch, no cooldown). */
    @Test
    void everyRecipeRunsAFewStepsOnSyntheticData() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=4,val-per-class=2,seed=3";
        for (String name : RecipeFile.NAMES) {
            Path out = dir.resolve("recipe-" + name);
            List<String> args = new java.util.ArrayList<>(List.of("train", "--onnx", model.toString(), "--data", data,
                    "--recipe", name, "--epochs", "1", "--batch", "8", "--threads", "1", "--out",
                    out.toString()));
            if (TIMM_RECIPES.contains(name)) {
                args.addAll(List.of("--cooldown-epochs", "0"));
            }
            CliRun r = lathe(args.toArray(new String[0]));
            assertEquals(0, r.code(), name + ": " + r.err());
            List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
            assertEquals(2, rows.size(), name);
            assertTrue(Double.isFinite(Double.parseDouble(rows.get(1).split(",")[2])), name + " loss: " + rows);
            if (name.equals("efficientmod")) {
                assertTrue(r.out().contains("mixup: Mixup(mixup 0.8, cutmix 1.0") && r.out().contains("loss KL"),
                        r.out());
                assertTrue(r.out().contains("synthetic data has no images: [--aa, --color-jitter,"
                        + " --train-interpolation, --reprob]"), r.out());
                assertEquals(1e-6, Double.parseDouble(rows.get(1).split(",")[1]), 1e-15,
                        "epoch 0 of a 5-epoch warm-up starts at the recipe's warmup-lr");
            }
            if (name.equals("cic-cifar")) { // prune.py's quirk: 5 x 100 warm-up epochs, lr 0.005 * (epoch + 1) / 500
                assertEquals(1e-5, Double.parseDouble(rows.get(1).split(",")[1]), 1e-15, r.out());
                assertTrue(r.out().contains("the warm-up (500.0 epochs) is longer than the 1 epochs trained"), r.out());
            }
            if (name.equals("anchornet")) {
                assertEquals(0.1, Double.parseDouble(rows.get(1).split(",")[1]), 1e-15, r.out());
            }
        }
    }

    /**
     * The image pipeline through the CLI on an image folder: a recipe's RandAugment and random erasing, then AugMix.
     */
    @Test
    void recipeAugmentationsRunOnAnImageFolder() throws Exception {
        Path root = dir.resolve("images");
        java.util.Random rng = new java.util.Random(5);
        for (String split : List.of("train", "val")) {
            for (int c = 0; c < 4; c++) {
                Path cls = Files.createDirectories(root.resolve(split).resolve("c" + c));
                for (int i = 0; i < (split.equals("train") ? 4 : 2); i++) {
                    java.awt.image.BufferedImage im = new java.awt.image.BufferedImage(20 + i, 18,
                            java.awt.image.BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 18; y++) {
                        for (int x = 0; x < 20 + i; x++) {
                            im.setRGB(x, y, (c * 60 << 16) | (rng.nextInt(256) << 8) | (x * 10));
                        }
                    }
                    javax.imageio.ImageIO.write(im, "png", cls.resolve(i + ".png").toFile());
                }
            }
        }
        Path out = dir.resolve("folder");
        CliRun r = lathe("train", "--onnx", tinyModel().toString(), "--data", "imagefolder:" + root + ",res=16",
                "--recipe", "iieu-resnet", "--epochs", "1", "--cooldown-epochs", "0", "--batch", "8", "--threads",
                "1", "--mixup", "0.2", "--cutmix-minmax", "0.3,0.8", "--mixup-mode", "elem", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("augmentation: interpolation random, aa rand-m7-n2-p0.5-mstd0.5-inc1"), r.out());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size());
        Path augmix = dir.resolve("augmix");
        CliRun am = lathe("train", "--onnx", tinyModel().toString(), "--data", "imagefolder:" + root + ",res=16",
                "--aa", "augmix-m5-w4-d2", "--epochs", "1", "--batch", "8", "--threads", "1", "--out",
                augmix.toString());
        assertEquals(0, am.code(), am.err());
        assertTrue(am.out().contains("augmentation: interpolation bilinear, aa augmix-m5-w4-d2-a1-b0,"), am.out());
        assertEquals(2, Files.readAllLines(augmix.resolve("metrics.csv")).size());
    }

    /** --drop-path on a zoo model with residual blocks: the step takes the per-step seed and trains. */
    @Test
    void dropPathTrainsAZooResNet() throws Exception {
        Path out = dir.resolve("droppath");
        CliRun r = lathe("train", "--model", "resnet18", "--data", "synthetic:classes=4,size=16,per-class=4,"
                + "val-per-class=2,seed=3", "--drop-path", "0.1", "--epochs", "1", "--batch", "8", "--threads", "1",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertTrue(Double.isFinite(Double.parseDouble(rows.get(1).split(",")[2])), rows.toString());
    }

    /** Bad values of the new flags are one-line errors naming the flag and what it expects. */
    @Test
    void badAugmentationFlagsAreOneLineErrors() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=4,val-per-class=2,seed=3";
        for (String[] c : new String[][] {
            {"--aa", "rand-m9-x1", "--aa rand-m9-x1: unknown section 'x1'"},
            {"--aa", "autoaug", "--aa autoaug: unknown augmentation 'autoaug'; expected timm's RandAugment grammar"},
            {"--aa", "augmix-m5-w0", "--aa augmix-m5-w0: AugMix needs m >= 0, w >= 1"},
            {"--remode", "zeros", "--remode zeros: expected const, rand or pixel"},
            {"--train-interpolation", "nearest", "--train-interpolation nearest: expected random, bilinear or bicubic"},
            {"--mixup-mode", "pairs", "--mixup-mode needs --mixup or --cutmix > 0 or --cutmix-minmax"},
            {"--cutmix-minmax", "0.2", "--cutmix-minmax 0.2: expected MIN,MAX, two numbers with 0 < MIN < MAX <= 1"},
            {"--cutmix-minmax", "0.2,x", "--cutmix-minmax MAX must be a number in (0, 1], got 'x'"},
            {"--cutmix-minmax", "0.8,0.2", "--cutmix-minmax needs MIN,MAX with 0 < MIN < MAX <= 1, got 0.8,0.2"},
            {"--cutmix-minmax", "0.2,0.21", "--cutmix-minmax 0.2,0.21 leaves no box size for a side of 16 pixels"},
            {"--reprob", "1.5", "--reprob"},
            {"--drop-path", "0.1", "--drop-path 0.1: drop path 0.1: the model marks no residual branches"}}) {
            CliRun r = lathe("train", "--onnx", model.toString(), "--data", data, c[0], c[1], "--epochs", "1",
                    "--batch", "8", "--out", dir.resolve("bad").toString());
            assertEquals(2, r.code(), c[0] + " " + c[1] + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(c[2]), r.err());
        }
        CliRun odd = lathe("train", "--onnx", model.toString(), "--data", data, "--mixup", "0.8", "--batch", "7",
                "--out", dir.resolve("odd").toString());
        assertEquals(2, odd.code());
        assertTrue(odd.err().contains("--batch must be even, got 7"), odd.err());
    }

    /** --device cuda on a machine without the CUDA provider stops before training with one line saying why. */
    @Test
    void cudaWithoutAGpuIsAOneLineError() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=16,val-per-class=4,seed=3";
        CliRun r = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "1", "--batch", "16",
                "--device", "cuda", "--out", dir.resolve("cuda").toString());
        org.junit.jupiter.api.Assumptions.assumeTrue(r.code() != 0, "a CUDA device is present");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("CUDA device 0 unavailable"), r.err());
        assertTrue(Files.notExists(dir.resolve("cuda").resolve("checkpoint.bin")));
        CliRun bad = lathe("train", "--onnx", model.toString(), "--data", data, "--device", "tpu", "--out",
                dir.resolve("tpu").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("device 'tpu' is not one of cpu, cuda, cuda:N"), bad.err());
    }

    @Test
    void trainsResumesAndEvaluatesATinyModel() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=32,val-per-class=8,seed=3";
        Path out = dir.resolve("run");
        CliRun r = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "2", "--batch", "16",
                "--lr", "0.05", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trained 2 epochs"), r.out());
        assertTrue(Files.exists(out.resolve("checkpoint.bin")) && Files.exists(out.resolve("model.onnx")));
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());

        CliRun again = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "2", "--batch", "16",
                "--out", out.toString(), "--resume");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("nothing to do"), again.out());

        // a new run (no --resume) into the same folder starts its metrics afresh instead of appending
        CliRun fresh = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "1", "--batch", "16",
                "--out", out.toString());
        assertEquals(0, fresh.code(), fresh.err());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size());
        assertEquals(1, Files.readAllLines(out.resolve("metrics.jsonl")).size());

        CliRun eval = lathe("eval", "--onnx", out.resolve("model.onnx").toString(), "--data", data);
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().startsWith("top-1 "), eval.out());

        CliRun bad = lathe("train", "--onnx", model.toString(), "--data", "imagenet", "--out", out.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--data 'imagenet'") && bad.err().lines().count() == 1, bad.err());

        // a real image folder (train/<class>/*.png, val/<class>/*.png) through the same command
        Path images = dir.resolve("images");
        java.util.Random rng = new java.util.Random(5);
        for (String split : new String[] {"train", "val"}) {
            for (String cls : new String[] {"cat", "dog"}) {
                Files.createDirectories(images.resolve(split).resolve(cls));
                for (int i = 0; i < (split.equals("train") ? 16 : 4); i++) {
                    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(20, 20,
                            java.awt.image.BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 20; y++) {
                        for (int xx = 0; xx < 20; xx++) {
                            int v = cls.equals("cat") ? 40 + rng.nextInt(40) : 170 + rng.nextInt(40);
                            img.setRGB(xx, y, (v << 16) | (v << 8) | v);
                        }
                    }
                    javax.imageio.ImageIO.write(img, "png", images.resolve(split).resolve(cls).resolve(i + ".png")
                            .toFile());
                }
            }
        }
        Path folderRun = dir.resolve("folder-run");
        CliRun folder = lathe("train", "--onnx", model.toString(), "--data", "imagefolder:" + images + ",res=16",
                "--epochs", "1", "--batch", "8", "--lr", "0.05", "--out", folderRun.toString());
        assertEquals(0, folder.code(), folder.err());
        assertTrue(folder.out().contains("trained 1 epochs"), folder.out());
        assertTrue(Files.exists(folderRun.resolve("model.onnx")));
    }

    @Test
    void logitAdjustedLossOnLongTailedData() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=40,val-per-class=8,imbalance=4,seed=3";
        Path out = dir.resolve("la");
        CliRun r = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "1", "--batch", "16",
                "--lr", "0.05", "--loss", "logit-adjusted", "--tau", "1", "--logit-scale", "2", "--label-smoothing",
                "0.1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trained 1 epochs") && Files.exists(out.resolve("model.onnx")), r.out());

        CliRun bad = lathe("train", "--onnx", model.toString(), "--data", data, "--loss", "focal", "--out", out.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--loss must be ce, logit-adjusted, kd or kl") && bad.err().lines().count() == 1,
                bad.err());
        CliRun stray = lathe("train", "--onnx", model.toString(), "--data", data, "--tau", "2", "--out", out.toString());
        assertEquals(2, stray.code());
        assertTrue(stray.err().contains("--tau and --logit-scale belong to --loss logit-adjusted"), stray.err());
        CliRun badData = lathe("train", "--onnx", model.toString(), "--data", data.replace("imbalance=4",
                "imbalance=0.25"), "--out", out.toString());
        assertEquals(2, badData.code(), badData.err());
        assertTrue(badData.err().contains("imbalance factor >= 1") && badData.err().lines().count() == 1, badData.err());
    }

    /** --ema: the exported weights are the moving averages the checkpoint holds, not the raw weights. */
    @Test
    void emaWithAccumulationExportsTheAveragedWeights() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=32,val-per-class=8,seed=3";
        Path out = dir.resolve("ema");
        Path export = dir.resolve("ema-model.onnx");
        CliRun r = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "2", "--batch", "8",
                "--accum", "2", "--lr", "0.05", "--ema", "0.9", "--workers", "3", "--export", export.toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Checkpoint c = Checkpoint.read(out.resolve("checkpoint.bin"));
        float[] raw = c.floats("fc.weight");
        float[] ema = c.floats("fc.weight" + TrainStep.EMA);
        assertTrue(c.tensors().containsKey("fc.weight" + TrainStep.GRAD_ACCUM), "accumulators are checkpointed");
        Model exported = Onnx.load(export);
        float[] written = exported.graph().initializer("fc.weight").constValue().toFloats();
        assertArrayEquals(ema, written);
        assertFalse(java.util.Arrays.equals(raw, written), "the EMA equals the raw weights");

        CliRun bad = lathe("train", "--onnx", model.toString(), "--data", data, "--ema", "1.5", "--out", out.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--ema must be a decay in [0, 1)"), bad.err());
    }

    @Test
    void exportWithFoldedBatchNorm() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=16,val-per-class=4,seed=3";
        Path export = dir.resolve("folded.onnx");
        CliRun r = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "1", "--batch", "16",
                "--export", export.toString(), "--fold-bn", "--out", dir.resolve("fold").toString());
        assertEquals(0, r.code(), r.err());
        Model folded = Onnx.load(export);
        assertTrue(folded.graph().nodes().stream().noneMatch(n -> n.opType().equals("BatchNormalization")),
                "BatchNormalization left after --fold-bn");
        CliRun eval = lathe("eval", "--onnx", export.toString(), "--data", data);
        assertEquals(0, eval.code(), eval.err());
    }

    /** --loss kd and kl against a teacher ONNX model (here a trained copy of the student exported by a first run). */
    @Test
    void distillationFromATeacherModel() throws Exception {
        Path model = tinyModel();
        String data = "synthetic:classes=4,size=16,per-class=16,val-per-class=4,seed=3";
        Path teacher = dir.resolve("teacher.onnx");
        CliRun first = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "1", "--batch", "16",
                "--export", teacher.toString(), "--out", dir.resolve("teacher-run").toString());
        assertEquals(0, first.code(), first.err());
        CliRun kd = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "1", "--batch", "16",
                "--loss", "kd", "--teacher", teacher.toString(), "--kd-temperature", "2", "--kd-alpha", "0.9",
                "--out", dir.resolve("kd").toString());
        assertEquals(0, kd.code(), kd.err());
        assertTrue(kd.out().contains("trained 1 epochs"), kd.out());
        CliRun missing = lathe("train", "--onnx", model.toString(), "--data", data, "--loss", "kd", "--out",
                dir.resolve("kd2").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--loss kd needs --teacher"), missing.err());
        CliRun kl = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "1", "--batch", "16",
                "--loss", "kl", "--teacher", teacher.toString(), "--out", dir.resolve("kl").toString());
        assertEquals(0, kl.code(), kl.err());
        assertTrue(kl.out().contains("trained 1 epochs"), kl.out());
    }
}

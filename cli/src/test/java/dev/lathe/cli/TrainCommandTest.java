package dev.lathe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe train}, {@code --resume} and {@code lathe eval} through {@link Main#run} on a tiny ONNX model. */
class TrainCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run lathe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trainsResumesAndEvaluatesATinyModel() throws Exception {
        GraphBuilder b = new GraphBuilder("tiny", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.batchNorm2d("bn", nn.conv2d("conv", x, 8, ConvAttrs.of(3, 2, 1), false)));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 4, true), "logits");
        Path model = dir.resolve("tiny.onnx");
        Onnx.save(b.build(), model);
        String data = "synthetic:classes=4,size=16,per-class=32,val-per-class=8,seed=3";
        Path out = dir.resolve("run");
        Run r = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "2", "--batch", "16",
                "--lr", "0.05", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trained 2 epochs"), r.out());
        assertTrue(Files.exists(out.resolve("checkpoint.bin")) && Files.exists(out.resolve("model.onnx")));
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());

        Run again = lathe("train", "--onnx", model.toString(), "--data", data, "--epochs", "2", "--batch", "16",
                "--out", out.toString(), "--resume");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("nothing to do"), again.out());

        Run eval = lathe("eval", "--onnx", out.resolve("model.onnx").toString(), "--data", data);
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().startsWith("top-1 "), eval.out());

        Run bad = lathe("train", "--onnx", model.toString(), "--data", "imagenet", "--out", out.toString());
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
        Run folder = lathe("train", "--onnx", model.toString(), "--data", "imagefolder:" + images + ",res=16",
                "--epochs", "1", "--batch", "8", "--lr", "0.05", "--out", folderRun.toString());
        assertEquals(0, folder.code(), folder.err());
        assertTrue(folder.out().contains("trained 1 epochs"), folder.out());
        assertTrue(Files.exists(folderRun.resolve("model.onnx")));
    }
}

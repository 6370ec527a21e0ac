package dev.lathe.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe demo --quick} runs every stage end to end and leaves its artefacts. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void quickDemoRunsEveryStage() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new String[] {"demo", "--quick", "--out", dir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text + err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("demo finished"), text);
        assertTrue(Files.size(dir.resolve("cifar_resnet56.onnx")) > 1_000_000);
        assertTrue(text.contains("CIC"), text);
        assertTrue(Files.size(dir.resolve("cifar_resnet56_pruned_finetuned.onnx"))
                < Files.size(dir.resolve("cifar_resnet56_trained.onnx")), "pruning must shrink the model");
    }
}

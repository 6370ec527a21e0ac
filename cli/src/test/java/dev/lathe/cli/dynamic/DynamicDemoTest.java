package dev.lathe.cli.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.EarlyExit;
import dev.lathe.runtime.dynamic.ExitResult;
import dev.lathe.runtime.dynamic.StageCosts;
import dev.lathe.serve.ImageModel;
import java.nio.FloatBuffer;
import java.util.Map;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The demo's dynamic step on its own: table, front and plot written; the full cascade agrees with itself; the cascade
 * bundle it packs exits, image by image counted per stage, as its table predicts at the chosen thresholds.
 */
class DynamicDemoTest {
    @Test
    void quickStepWritesTableFrontAndPlot() throws Exception {
        Path out = Path.of("target/dynamic-demo");
        Files.createDirectories(out);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        DynamicDemo.Result result = DynamicDemo.run(Runtimes.get("ort-cpu"), 2, true, out,
                new PrintStream(text, true, StandardCharsets.UTF_8));
        String summary = result.summary();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.println(text + summary + String.format(" (%.1f s)", seconds));
        assertTrue(Files.size(out.resolve("dynamic_front.png")) > 5_000);
        ExitTableFile t = ExitTableFile.read(out.resolve("dynamic_table.pth"));
        assertEquals(20, t.table().images());
        assertEquals(1.0, t.table().staticAccuracy(4), 0); // labels are the last stage's predictions
        assertTrue(summary.contains("on the front"), summary);

        // the packed cascade, run on the same images, exits where the table says it would at its thresholds
        ExitResult expected = EarlyExit.evaluate(t.table(), result.thresholds(), new StageCosts(t.stageGmacs()));
        SyntheticDataset data = new SyntheticDataset(10, 3, 224, 2, 1, 0, 1);
        float[] x = new float[data.size() * 3 * 224 * 224];
        FloatBuffer fb = FloatBuffer.wrap(x);
        for (int i = 0; i < data.size(); i++) {
            data.fill(i, fb);
        }
        long[] exits = new long[expected.exits().length];
        try (Session cascade = ImageModel.load(result.bundle()).open(Runtimes.get("ort-cpu"), SessionConfig.defaults());
                Outputs o = cascade.run(Map.of(AnchorCascade.INPUT, HostTensor.ofFloats(new long[] {data.size(), 3,
                        224, 224}, x)))) {
            for (long stage : o.get("exit_stage").toLongs()) {
                exits[(int) stage]++;
            }
        }
        assertArrayEquals(expected.exits(), exits);
    }
}

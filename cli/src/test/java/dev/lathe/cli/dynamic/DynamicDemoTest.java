package dev.lathe.cli.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.runtime.Runtimes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The demo's dynamic step on its own: table, front and plot written; the full cascade agrees with itself. */
class DynamicDemoTest {
    @Test
    void quickStepWritesTableFrontAndPlot() throws Exception {
        Path out = Path.of("target/dynamic-demo");
        Files.createDirectories(out);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        String summary = DynamicDemo.run(Runtimes.get("ort-cpu"), 2, true, out,
                new PrintStream(text, true, StandardCharsets.UTF_8));
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.println(text + summary + String.format(" (%.1f s)", seconds));
        assertTrue(Files.size(out.resolve("dynamic_front.png")) > 5_000);
        ExitTableFile t = ExitTableFile.read(out.resolve("dynamic_table.pth"));
        assertEquals(20, t.table().images());
        assertEquals(1.0, t.table().staticAccuracy(4), 0); // labels are the last stage's predictions
        assertTrue(summary.contains("on the front"), summary);
    }
}

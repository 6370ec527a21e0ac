package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.cli.Main;
import dev.lathe.cli.dynamic.ExitTableFile;
import dev.lathe.runtime.dynamic.ExitTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lathe dynamic table} and {@code lathe dynamic run} on the reference fixtures: the table Lathe makes from
 * the models equals the one {@code generate_cascade.py} made with the authors' {@code make_table.py} logic (and saved
 * with {@code torch.save}), in both file formats, and the real cascade exits where the reference's rule says.
 */
class DynamicTableTest {
    static final Path OUT = Path.of("target/dynamic-table");
    static Path anchornet;

    static String[] lathe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8)};
    }

    @BeforeAll
    static void buildAnchorNet() throws Exception {
        Files.createDirectories(OUT);
        anchornet = OUT.resolve("anchornet.onnx");
        String[] r = lathe("zoo", "build", "anchornet", "--classes", "10", "--weights",
                AnchorCascadeReferenceTest.dir().resolve("anchornet.pth").toString(), "-o", anchornet.toString());
        assertEquals("0", r[0], r[1] + r[2]);
    }

    static String[] models() {
        Path d = AnchorCascadeReferenceTest.dir();
        return new String[] {"--anchornet", anchornet.toString(), "--resized", d.resolve("resized.onnx").toString(),
                "--patch", d.resolve("patch.onnx").toString(), "--data",
                "npy:" + d.resolve("images.npy") + "," + d.resolve("labels.npy")};
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void latheTableEqualsTheReferenceScriptsTable() throws Exception {
        ExitTable want = ExitTableFile.read(AnchorCascadeReferenceTest.dir().resolve("table.pth")).table();
        for (String name : new String[] {"table.pth", "table.npz"}) {
            Path file = OUT.resolve(name);
            String[] r = lathe(concat(concat(new String[] {"dynamic", "table"}, models()), "--topk", "5", "--iou",
                    "0.3,0.3,0.3,0.3", "-o", file.toString()));
            assertEquals("0", r[0], r[1] + r[2]);
            ExitTableFile got = ExitTableFile.read(file);
            assertEquals(want.images(), got.table().images());
            assertEquals(want.stages(), got.table().stages());
            for (int i = 0; i < want.images(); i++) {
                for (int j = 0; j < want.stages(); j++) {
                    assertEquals(want.confidence(i, j), got.table().confidence(i, j), 1e-5, name + " " + i + "," + j);
                    assertEquals(want.correct(i, j), got.table().correct(i, j), name + " " + i + "," + j);
                }
            }
            assertEquals("resized_95_[0.3, 0.3, 0.3, 0.3]", got.setup());
            assertEquals(5, got.stageGmacs().length);
            assertTrue(got.stageGmacs()[1] > got.stageGmacs()[0]);
        }
    }

    /** The benchmark harness runs end to end on the tiny fixtures (a smoke test: no timing is asserted). */
    @Test
    void benchCascadeHarnessRuns() throws Exception {
        String[] r = lathe(concat(concat(new String[] {"bench", "cascade"}, models()), "--rounds", "1", "--batch", "2",
                "--target-fraction", "0.6", "--json"));
        assertEquals("0", r[0], r[1] + r[2]);
        JsonNode n = new ObjectMapper().readTree(r[1]);
        assertTrue(n.get("cascade").get("average_gmacs").asDouble()
                <= 0.6 * n.get("all_stages").get("average_gmacs").asDouble() + 1e-12, n.toString());
        assertEquals(4, n.get("all_stages").get("exits").get(4).asInt(), n.toString());
        assertTrue(n.get("speedup").asDouble() > 0);
        assertEquals(5, n.get("cascade").get("latency_ms").size());
    }

    @Test
    void realCascadeExitsWhereTheReferenceRuleSays() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(AnchorCascadeReferenceTest.dir().resolve("expected.json")
                .toFile());
        StringBuilder taus = new StringBuilder();
        for (JsonNode t : expected.get("thresholds")) {
            taus.append(taus.length() == 0 ? "" : ",").append(t.asDouble());
        }
        String[] r = lathe(concat(concat(new String[] {"dynamic", "run"}, models()), "--thresholds", taus.toString(),
                "--batch", "3", "--json"));
        assertEquals("0", r[0], r[1] + r[2]);
        JsonNode n = new ObjectMapper().readTree(r[1]);
        long[] counts = new long[5];
        for (JsonNode s : expected.get("exit_stage")) {
            counts[s.asInt()]++;
        }
        for (int j = 0; j < 5; j++) {
            assertEquals(counts[j], n.get("exits").get(j).asLong(), "exits at stage " + j + ": " + n);
        }
        assertEquals(4, n.get("images").asInt());
        assertTrue(n.get("scheduler_share").asDouble() >= 0 && n.get("scheduler_share").asDouble() < 1);
        String[] bad = lathe(concat(new String[] {"dynamic", "run"}, models()));
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("--thresholds"), bad[2]);
        String[] missing = lathe("dynamic", "table", "--anchornet", "nope.onnx", "--resized", "x", "--patch", "y",
                "--data", "npy:z", "-o", OUT.resolve("t.pth").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[2].contains("nope.onnx"), missing[2]);
    }
}

package dev.lathe.cli.isp;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --gate-generator hyper}: {@code lathe isp run} searches with the GRU hyper-structure on ResNet-8 at tiny epochs,
 * gates.json says so and holds one logit per gated channel, the cut model keeps the requested MAC share within 2
 * points; {@code --resume} keeps that search, and a resume asking for the other generator searches again and
 * fine-tunes its cut afresh; a bad value is refused naming the flag and its values.
 */
class IspGatesTest {
    @TempDir
    Path dir;

    @Test
    void hyperStructureSearchLandsOnTheBudgetAndResumes() throws Exception {
        Path model = IspRunTest.resNet8(dir);
        Path out = dir.resolve("run");
        String[] args = {"isp", "run", "--onnx", model.toString(), "--data", "synthetic:per-class=13,val-per-class=2",
            "--target-flops", "0.5", "--epochs-scale", "0.001", "-o", out.toString(), "--gate-generator", "hyper"};
        CliRun r = lathe(args);
        assertEquals(0, r.code(), r.err());
        Path gatesFile = out.resolve("search/gates.json");
        JsonNode gates = new ObjectMapper().readTree(gatesFile.toFile());
        assertEquals("hyper", gates.path("generator").asText());
        assertEquals(3, gates.path("layers").size());
        for (int l = 0; l < 3; l++) {
            assertEquals(16 << l, gates.path("layers").get(l).path("logits").size(), "layer " + l);
        }
        JsonNode m = new ObjectMapper().readTree(out.resolve("prune/metrics.json").toFile());
        assertEquals(0.5, m.path("kept_macs_ratio").asDouble(), 0.02, m.toString());

        long searched = Files.getLastModifiedTime(gatesFile).toMillis();
        String[] resume = Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        CliRun again = lathe(resume);
        assertEquals(0, again.code(), again.err());
        assertEquals(searched, Files.getLastModifiedTime(gatesFile).toMillis(), "the search is not redone");

        String[] simple = Arrays.copyOf(resume, resume.length);
        simple[args.length - 1] = "simple";
        CliRun other = lathe(simple);
        assertEquals(0, other.code(), other.err());
        assertEquals("simple", new ObjectMapper().readTree(gatesFile.toFile()).path("generator").asText(),
                "a resume asking for the other generator searches again");
    }

    @Test
    void badGeneratorIsRefusedNamingTheFlagAndItsValues() throws Exception {
        Path model = IspRunTest.resNet8(dir);
        Path out = dir.resolve("bad");
        CliRun.assertRefused(new String[][] {
            {"isp", "search", "--onnx", model.toString(), "-o", out.toString(), "--gate-generator", "gru"},
            {"isp", "run", "--onnx", model.toString(), "-o", out.toString(), "--gate-generator", "gru"},
        }, new String[] {"--gate-generator must be simple or hyper, got 'gru'", "--gate-generator must be simple or hyper, got 'gru'"},
                out);
    }
}

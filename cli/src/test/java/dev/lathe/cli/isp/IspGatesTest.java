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
 * fine-tunes its cut afresh; a bad value is refused naming the flag and its values. The epoch whose gates are cut is
 * the best candidate of the search's second half.
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

    /**
     * {@code --select best} (the default): of a 6-epoch search, epochs 5 and 6 are candidates (the authors' second
     * half); each is cut and scored on the validation split (metrics.jsonl), the first best is kept, and the model
     * {@code isp prune} cuts from gates.json scores exactly that top-1 under {@code lathe eval}.
     */
    @Test
    void bestEpochSelectionKeepsTheBestCandidatesCut() throws Exception {
        Path model = IspRunTest.resNet8(dir);
        String out = dir.resolve("select").toString();
        String data = "synthetic:per-class=8,val-per-class=3";
        String[] common = {"--onnx", model.toString(), "--data", data, "-o", out, "--batch", "40"};
        for (String[] stage : new String[][] {{"isp", "predictor", "--epochs", "1"}, {"isp", "selector", "--epochs",
            "1"}, {"isp", "search", "--epochs", "6", "--target-flops", "0.6", "--search-fraction", "0.5"}}) {
            String[] args = Arrays.copyOf(stage, stage.length + common.length);
            System.arraycopy(common, 0, args, stage.length, common.length);
            CliRun r = lathe(args);
            assertEquals(0, r.code(), r.err());
        }
        java.util.List<String> lines = Files.readAllLines(Path.of(out, "search", "metrics.jsonl"));
        assertEquals(6, lines.size());
        double[] top1 = new double[6];
        for (int e = 0; e < 6; e++) {
            JsonNode line = new ObjectMapper().readTree(lines.get(e));
            assertEquals(e >= 4, line.has("cut_val_top1"), "epoch " + (e + 1) + ": " + line);
            top1[e] = line.path("cut_val_top1").asDouble(-1);
        }
        JsonNode gates = new ObjectMapper().readTree(Path.of(out, "search", "gates.json").toFile());
        assertEquals("best", gates.path("select").asText());
        int chosen = top1[5] > top1[4] ? 6 : 5;
        assertEquals(chosen, gates.path("epoch").asInt(), gates.toString());
        assertEquals(top1[chosen - 1], gates.path("cut_val_top1").asDouble(), 0);
        assertEquals(0, lathe("isp", "prune", "--onnx", model.toString(), "-o", out).code());
        CliRun eval = lathe("eval", "--onnx", Path.of(out, "prune", "pruned.onnx").toString(), "--data", data);
        assertEquals(0, eval.code(), eval.err());
        assertEquals(String.format(java.util.Locale.ROOT, "top-1 %.4f", top1[chosen - 1]),
                eval.out().substring(0, eval.out().indexOf("  top-5")), eval.out());
    }

    @Test
    void badGeneratorIsRefusedNamingTheFlagAndItsValues() throws Exception {
        Path model = IspRunTest.resNet8(dir);
        Path out = dir.resolve("bad");
        CliRun.assertRefused(new String[][] {
            {"isp", "search", "--onnx", model.toString(), "-o", out.toString(), "--gate-generator", "gru"},
            {"isp", "run", "--onnx", model.toString(), "-o", out.toString(), "--gate-generator", "gru"},
            {"isp", "search", "--onnx", model.toString(), "-o", out.toString(), "--select", "first"},
        }, new String[] {"--gate-generator must be simple or hyper, got 'gru'",
            "--gate-generator must be simple or hyper, got 'gru'", "--select must be best or last, got 'first'"},
                out);
    }
}

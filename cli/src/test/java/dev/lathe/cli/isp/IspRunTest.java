package dev.lathe.cli.isp;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.cli.CliRun;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.isp.IspNets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe isp run} end to end on the embedded synthetic data at tiny epochs, on ResNet-8 (the ResNet-56 block
 * and keys, one block per stage): every stage's files land in the run folder, the fine-tuned model in final.onnx,
 * and the cut model keeps the requested share of MACs within 2 points; a second run with --resume redoes nothing
 * but the cut and fine-tuning; bad input is one line naming the flag or file, and a bad flag creates no run folder.
 */
class IspRunTest {
    @TempDir
    Path dir;

    static Path resNet8(Path dir) throws Exception {
        GraphBuilder b = new GraphBuilder("isp_resnet8", ModelInputs.OPSET);
        Value x = b.input(ModelInputs.INPUT, DataType.FLOAT, ModelInputs.BATCH, 3L, 32L, 32L);
        b.output(IspNets.resNet(new Nn(b, 1), x, 1, 10, IspNets.Gates.NONE).logits(), ModelInputs.OUTPUT);
        Path f = dir.resolve("resnet8.onnx");
        Onnx.save(b.build(), f);
        return f;
    }

    @Test
    void runChainsEveryStageAndLandsOnTheBudget() throws Exception {
        Path model = resNet8(dir);
        Path out = dir.resolve("run");
        String[] args = {"isp", "run", "--onnx", model.toString(), "--data",
            "synthetic:per-class=16,val-per-class=4", "--target-flops", "0.5", "--epochs-scale", "0.001", "-o",
            out.toString()};
        CliRun r = lathe(args);
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"predictor/predictor.onnx", "predictor/metrics.csv", "selector/selector.onnx",
            "selector/metrics.csv", "search/gates.json", "search/metrics.jsonl", "prune/plan.json",
            "prune/pruned.onnx", "prune/metrics.json", "final.onnx"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " written");
        }
        JsonNode m = new ObjectMapper().readTree(out.resolve("prune/metrics.json").toFile());
        double kept = m.path("kept_macs_ratio").asDouble();
        assertEquals(0.5, kept, 0.02, "kept MAC ratio " + kept);
        assertTrue(r.out().contains("final.onnx"), r.out());

        long predictorTime = Files.getLastModifiedTime(out.resolve("predictor/predictor.onnx")).toMillis();
        String[] resume = java.util.Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        CliRun again = lathe(resume);
        assertEquals(0, again.code(), again.err());
        assertEquals(predictorTime, Files.getLastModifiedTime(out.resolve("predictor/predictor.onnx")).toMillis(),
                "a finished stage is not redone on --resume");
    }

    @Test
    void stagesRunOneByOneOverTheRunFolder() throws Exception {
        Path model = resNet8(dir);
        String out = dir.resolve("stages").toString();
        String data = "synthetic:per-class=8,val-per-class=2";
        String[] common = {"--onnx", model.toString(), "--data", data, "-o", out};
        CliRun a = lathe(concat(new String[] {"isp", "predictor", "--epochs", "1", "--batch", "40"}, common));
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("predictor.onnx"), a.out());
        CliRun b = lathe(concat(new String[] {"isp", "selector", "--epochs", "1", "--batch", "40", "--lambda", "0.5"},
                common));
        assertEquals(0, b.code(), b.err());
        CliRun c = lathe(concat(new String[] {"isp", "search", "--epochs", "2", "--batch", "40", "--target-flops",
            "0.7", "--budget", "as-searched", "--search-fraction", "0.5"}, common));
        assertEquals(0, c.code(), c.err());
        JsonNode gates = new ObjectMapper().readTree(Path.of(out, "search", "gates.json").toFile());
        assertEquals("as-searched", gates.path("budget").asText());
        assertEquals(3, gates.path("layers").size(), "ResNet-8 has three gated blocks");
        CliRun p = lathe("isp", "prune", "--onnx", model.toString(), "-o", out);
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().startsWith("pruned: kept MACs"), p.out());
        assertTrue(Files.isRegularFile(Path.of(out, "prune", "pruned.onnx")));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void runOnTheZooMobileNetV2TrainsItFirstAndLandsOnTheBudget() throws Exception {
        Path out = dir.resolve("mbv2");
        CliRun r = lathe("isp", "run", "--model", "cifar_mobilenet_v2", "--data",
                "synthetic:per-class=13,val-per-class=2", "--target-flops", "0.6", "--epochs-scale", "0.001", "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("classifier/classifier.onnx")), "the zoo model is trained first");
        assertTrue(Files.isRegularFile(out.resolve("final.onnx")));
        JsonNode m = new ObjectMapper().readTree(out.resolve("prune/metrics.json").toFile());
        assertEquals(0.6, m.path("kept_macs_ratio").asDouble(), 0.02, m.toString());
    }

    @Test
    void badInputIsOneLineNamingTheFlagOrFile() throws Exception {
        Path model = resNet8(dir);
        Path out = dir.resolve("bad");
        CliRun.assertRefused(new String[][] {
            {"isp", "run", "--onnx", dir.resolve("missing.onnx").toString(), "-o", out.toString()},
            {"isp", "run", "--onnx", model.toString(), "--target-flops", "1.5", "-o", out.toString()},
            {"isp", "search", "--onnx", model.toString(), "-o", out.toString(), "--budget", "loose"},
            {"isp", "selector", "--onnx", model.toString(), "-o", out.toString()},
            {"isp", "predictor", "--onnx", model.toString()},
        }, new String[] {"missing.onnx", "--target-flops", "--budget", "--predictor", "--out"},
                out.resolve("final.onnx"));
        Path untouched = dir.resolve("untouched");
        CliRun.assertRefused(new String[][] {
            {"isp", "run", "--onnx", model.toString(), "--epochs-scale", "0", "-o", untouched.toString()},
            {"isp", "search", "--onnx", model.toString(), "--mse-weight", "-1", "-o", untouched.toString()},
        }, new String[] {"--epochs-scale", "--mse-weight"}, untouched);
    }
}

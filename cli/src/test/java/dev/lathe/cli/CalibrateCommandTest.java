package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.io.Npy;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {
    /** 2 classes x 20 validation images of 3x8x8: the spec's validation split is what calibration reads. */
    private static final String DATA = "synthetic:classes=2,size=8,val-per-class=20,seed=4";

    @TempDir
    Path dir;
    private Path model;
    private String relu;

    /** y = relu(conv(x)) + x on [N,3,8,8]. */
    @BeforeEach
    void writeModel() throws IOException {
        GraphBuilder b = new GraphBuilder("block", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 3, 8, 8);
        float[] w = new float[81];
        Random r = new Random(9);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.3f;
        }
        Value conv = b.ops().conv(x, b.param("w", Tensor.ofFloats(new long[] {3, 3, 3, 3}, w)), null,
                ConvAttrs.same(3));
        Value act = b.ops().relu(conv);
        relu = act.name();
        b.output(b.ops().add(act, x), "y");
        model = dir.resolve("block.onnx");
        Onnx.save(b.build(), model);
    }

    /** Each tensor's observed [min, max] over the 40 validation images, computed here without the calibrator. */
    private Map<String, double[]> observed() {
        SyntheticDataset val = new SyntheticDataset(2, 3, 8, 20, 1, 4, 1);
        HostTensor images = HostTensor.allocate(DataType.FLOAT, val.size(), 3, 8, 8);
        FloatBuffer dst = images.data().asFloatBuffer();
        for (int i = 0; i < val.size(); i++) {
            val.fill(i, dst);
        }
        Map<String, double[]> out = new java.util.HashMap<>();
        try (Session s = Runtimes.get("ort-cpu").open(ModelSource.file(model),
                SessionConfig.defaults().withExposedIntermediates(List.of(relu)));
                Outputs o = s.run(Map.of("x", images))) {
            for (Map.Entry<String, HostTensor> e : Map.of("x", images, relu, o.get(relu), "y", o.get("y"))
                    .entrySet()) {
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (float v : e.getValue().toFloats()) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                out.put(e.getKey(), new double[] {lo, hi});
            }
        }
        return out;
    }

    private JsonNode calibrate(String... extra) throws IOException {
        Path out = dir.resolve("ranges.json");
        List<String> args = new ArrayList<>(List.of("calibrate", model.toString(), "--data", DATA, "--batch", "16",
                "-o", out.toString()));
        args.addAll(List.of(extra));
        CliRun r = lathe(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("40 samples"), r.out());
        return new ObjectMapper().readTree(out.toFile());
    }

    @Test
    void minmaxRangesAreExactlyTheObservedActivations() throws IOException {
        JsonNode j = calibrate("--method", "minmax");
        assertEquals("minmax", j.get("method").asText());
        assertEquals(40, j.get("samples").asLong());
        List<String> names = new ArrayList<>();
        j.get("tensors").fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("x", relu, "y"), names, "graph input, the Add's activation input, graph output");
        Map<String, double[]> seen = observed();
        for (String t : names) {
            JsonNode r = j.get("tensors").get(t);
            assertEquals((float) seen.get(t)[0], (float) r.get("min").asDouble(), t + " min");
            assertEquals((float) seen.get(t)[1], (float) r.get("max").asDouble(), t + " max");
            assertFalse(r.get("symmetric").asBoolean());
            assertEquals(40L * 3 * 8 * 8, r.get("values").asLong());
            assertEquals("minmax", r.get("method").asText());
        }
    }

    @Test
    void entropyAndPercentileRangesAreSymmetricAndInsideTheObservedRange() throws IOException {
        Map<String, double[]> seen = observed();
        for (String[] flags : new String[][] {{"--method", "entropy"}, {"--method", "mse"},
                {"--method", "percentile", "--percentile", "99", "--symmetric"}}) {
            JsonNode j = calibrate(flags);
            for (String t : seen.keySet()) {
                JsonNode r = j.get("tensors").get(t);
                double maxAbs = Math.max(-seen.get(t)[0], seen.get(t)[1]);
                assertEquals(-r.get("max").asDouble(), r.get("min").asDouble(), 0, flags[1] + " " + t);
                assertTrue(r.get("max").asDouble() > 0 && r.get("max").asDouble() <= maxAbs * (1 + 1e-6),
                        flags[1] + " " + t + ": " + r);
            }
        }
    }

    @Test
    void npyFoldersAreBatchesOfPreprocessedInputs() throws IOException {
        Path npy = Files.createDirectory(dir.resolve("batches"));
        float[] v = new float[5 * 3 * 8 * 8];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 17) / 8f - 1;
        }
        Npy.write(npy.resolve("000.npy"), HostTensor.ofFloats(new long[] {5, 3, 8, 8}, v));
        Path out = dir.resolve("npy.json");
        CliRun r = lathe("calibrate", model.toString(), "--data", "npy:" + npy, "--method", "minmax", "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode x = new ObjectMapper().readTree(out.toFile()).get("tensors").get("x");
        assertEquals(-1.0, x.get("min").asDouble());
        assertEquals(1.0, x.get("max").asDouble());
        assertEquals(5, new ObjectMapper().readTree(out.toFile()).get("samples").asLong());
    }

    @Test
    void badFlagsAreOneLineWithExitTwoAndWriteNothing() {
        Path out = dir.resolve("never.json");
        String m = model.toString();
        String o = out.toString();
        String[][] cases = {
            {"calibrate", m, "--data", DATA, "--method", "kl", "-o", o},
            {"calibrate", m, "--data", DATA, "--method", "percentile", "--percentile", "101", "-o", o},
            {"calibrate", m, "--data", DATA, "--method", "entropy", "--percentile", "99", "-o", o},
            {"calibrate", m, "--data", DATA, "--samples", "0", "-o", o},
            {"calibrate", m, "--data", DATA, "--tensors", "nosuch", "-o", o},
            {"calibrate", m, "--data", "npy:" + dir.resolve("missing"), "-o", o},
            {"calibrate", m, "-o", o},
            {"calibrate", m, "--data", DATA},
        };
        String[] expected = {"unknown calibration method 'kl'", "--percentile must be a number in (0, 100]",
            "--percentile applies to --method percentile", "--samples must be a positive integer",
            "no activation named 'nosuch'", "no such folder", "--data SPEC is required", "no output file"};
        CliRun.assertRefused(cases, expected, out);
    }

    @Test
    void helpListsTheMethods() {
        CliRun r = lathe("calibrate", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--method") && r.out().contains("entropy") && r.out().contains("npy:DIR"),
                r.out());
    }
}

package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe optimize} through {@link Main#run}: the written model is cleaned and computes the same logits. */
class OptimizeCommandTest {
    @TempDir
    Path dir;
    private Path model;

    /** conv1 -> BN (trained statistics) -> Identity -> ReLU -> pool -> flatten -> fc, plus an unused Sigmoid. */
    @BeforeEach
    void writeModel() throws Exception {
        GraphBuilder b = new GraphBuilder("tiny", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("image", DataType.FLOAT, "N", 3, 8, 8);
        Value c = nn.conv2d("conv1", x, 4, ConvAttrs.same(3), false);
        Value bn;
        try (var s = b.scope("bn1")) {
            bn = b.ops().batchNorm(c, b.param("weight", Tensor.ofFloats(new long[] {4}, 1.5f, 0.5f, 1f, 2f)),
                    b.param("bias", Tensor.ofFloats(new long[] {4}, 0.1f, -0.2f, 0.3f, 0f)),
                    b.param("running_mean", Tensor.ofFloats(new long[] {4}, 0.05f, -0.1f, 0.2f, 0f)),
                    b.param("running_var", Tensor.ofFloats(new long[] {4}, 0.5f, 1.5f, 2f, 0.8f)), 1e-5f);
        }
        x = b.ops().relu(b.ops().identity(bn));
        b.ops().sigmoid(x);
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 2, true), "logits");
        model = dir.resolve("tiny.onnx");
        Onnx.save(b.build(), model);
    }


    /** The first output, through the runtime API on ort-cpu with ONNX Runtime's own rewrites off. */
    private static float[] logits(Path file, float[] input) {
        try (Session s = Runtimes.get("ort-cpu").open(ModelSource.file(file),
                SessionConfig.defaults().withOptimization(SessionConfig.Optimization.NONE));
             Outputs out = s.run(Map.of("image", HostTensor.ofFloats(new long[] {2, 3, 8, 8}, input)))) {
            return out.get(s.outputs().get(0).name()).toFloats();
        }
    }

    @Test
    void writesACleanedModelWithTheSameLogits() throws Exception {
        Path out = dir.resolve("sub/tiny_opt.onnx");
        Files.createDirectory(out.getParent()); // a missing output folder is an error since issue 12
        CliRun r = lathe("optimize", model.toString(), "-o", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(8, j.get("nodes_before").asInt());
        assertEquals(5, j.get("nodes_after").asInt(), r.out());
        assertFalse(j.get("ops_after").has("BatchNormalization"));
        assertFalse(j.get("ops_after").has("Identity"));
        assertFalse(j.get("ops_after").has("Sigmoid"));
        assertEquals(0, j.get("batchnorm_not_folded").size());

        float[] input = new float[2 * 3 * 8 * 8];
        Random rng = new Random(4);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rng.nextGaussian();
        }
        float[] before = logits(model, input);
        float[] after = logits(out, input);
        for (int i = 0; i < before.length; i++) {
            // BN folding rounds differently in float32: 1e-5 relative, 1e-6 absolute near 0
            assertTrue(Math.abs(before[i] - after[i]) <= 1e-6 + 1e-5 * Math.abs(before[i]),
                    before[i] + " vs " + after[i]);
        }

        CliRun text = lathe("optimize", model.toString(), "-o", dir.resolve("t.onnx").toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("8 -> 5 nodes"), text.out());
        assertTrue(text.out().contains("BatchNormalization"), text.out());
    }

    @Test
    void badInvocationsAreOneLineErrors() throws Exception {
        CliRun noOut = lathe("optimize", model.toString());
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("-o OUT.onnx"), noOut.err());

        CliRun same = lathe("optimize", model.toString(), "-o", model.toString());
        assertEquals(2, same.code());
        assertTrue(same.err().contains("is the input file"), same.err());

        CliRun missing = lathe("optimize", dir.resolve("nope.onnx").toString(), "-o", dir.resolve("x.onnx").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());

        Path junk = dir.resolve("junk.onnx");
        Files.writeString(junk, "not a model");
        CliRun bad = lathe("optimize", junk.toString(), "-o", dir.resolve("y.onnx").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("junk.onnx"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }
}

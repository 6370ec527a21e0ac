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
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counts and rates are per image and use what the model really runs; unknown sizes are said, never printed as 0. */
class HonestNumbersTest {
    @TempDir
    static Path dir;
    static Path batch1;
    static Path batch2;
    static Path dynamicHw;

    /** conv 3->8 3x3 + ReLU + GAP + fc 8->2 on an input of the given leading size and height/width. */
    private static Path model(String name, Object batch, Object h, Object w) throws Exception {
        GraphBuilder b = new GraphBuilder(name, 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("image", DataType.FLOAT, batch, 3, h, w);
        x = b.ops().relu(nn.conv2d("conv1", x, 8, ConvAttrs.same(3), true));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 2, true), "logits");
        Path p = dir.resolve(name + ".onnx");
        Onnx.save(b.build(), p);
        return p;
    }

    @BeforeAll
    static void models() throws Exception {
        batch1 = model("batch1", 1, 8, 8);
        batch2 = model("batch2", 2, 8, 8);
        dynamicHw = model("dynamic_hw", "N", "H", "W");
    }

    private static JsonNode json(CliRun r) throws Exception {
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void inspectCountsMacsPerImageOnAFixedBatch() throws Exception {
        JsonNode one = json(lathe("inspect", batch1.toString(), "--json"));
        JsonNode two = json(lathe("inspect", batch2.toString(), "--json"));
        // conv: 8*8*8 outputs x 3*3*3 = 13,824; fc: 2 x 8 = 16
        assertEquals(13_840, one.get("macs").asLong());
        assertEquals(13_840, two.get("macs").asLong(), "a fixed batch of 2 is divided out");
        assertEquals(2, two.get("batch").asInt());
        CliRun text = lathe("inspect", batch2.toString());
        assertTrue(text.out().contains("13,840 MACs (0.000 GMACs) per image (the model's fixed batch of 2 divided out)"),
                text.out());
        assertTrue(text.out().contains("layers (MACs per image)"), text.out());
    }

    @Test
    void symbolicHeightAndWidthAskForAResolutionInsteadOfCountingThemAsOne() throws Exception {
        JsonNode unknown = json(lathe("inspect", dynamicHw.toString(), "--json"));
        assertTrue(unknown.get("macs").isNull(), unknown.toString());
        CliRun text = lathe("inspect", dynamicHw.toString());
        assertTrue(text.out().contains("MACs unknown") && text.out().contains("pass --resolution HxW"), text.out());
        JsonNode at8 = json(lathe("inspect", dynamicHw.toString(), "--resolution", "8x8", "--json"));
        assertEquals(13_840, at8.get("macs").asLong());
        assertEquals(13_840, json(lathe("inspect", dynamicHw.toString(), "--resolution", "8", "--json"))
                .get("macs").asLong());
        CliRun bad = lathe("inspect", dynamicHw.toString(), "--resolution", "0x8");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--resolution must be R or HxW with sizes in [1, 16384], got '0x8'"), bad.err());
    }

    @Test
    void pruneOnSymbolicSizesSaysMacsAreUnknownNotZeroPercent() {
        CliRun r = lathe("prune", dynamicHw.toString(), "--ratio", "0.5", "--round-to", "1", "-o",
                dir.resolve("p.onnx").toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("MACs 0.00% kept"), r.out());
        assertTrue(r.out().contains("MACs unknown (sizes are symbolic"), r.out());
        CliRun target = lathe("prune", dynamicHw.toString(), "--target-macs", "0.5", "-o",
                dir.resolve("p2.onnx").toString());
        assertEquals(2, target.code(), target.err());
        assertTrue(target.err().contains("its MACs are unknown"), target.err());
    }

    @Test
    void benchInferUsesTheBatchTheModelRunsAndRefusesOneItCannot() throws Exception {
        CliRun refused = lathe("bench", "infer", batch2.toString(), "--batch", "8", "--duration", "0");
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("input 'image'") && refused.err().contains("has a fixed batch of 2, so the"
                + " model cannot run batch 8"), refused.err());
        JsonNode r = json(lathe("bench", "infer", batch2.toString(), "--threads", "1", "--warmup-ms", "0",
                "--duration", "0.05", "--iterations", "5", "--json"));
        assertEquals(2, r.get("batch").asInt(), r.toString());
        assertEquals(2 * r.get("iterations").asDouble() / r.get("wall_s").asDouble(), r.get("throughput").asDouble(),
                1e-6 * r.get("throughput").asDouble());
        assertEquals(0, lathe("bench", "infer", batch2.toString(), "--batch", "2", "--duration", "0",
                "--iterations", "1").code(), "the model's own batch is accepted");
    }
}

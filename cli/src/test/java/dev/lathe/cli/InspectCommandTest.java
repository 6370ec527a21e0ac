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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe inspect} through {@link Main#run}: counts stated by hand, JSON layout, one-line errors. */
class InspectCommandTest {
    @TempDir
    Path dir;
    private Path model;

    /**
     * conv1: 3->4, 3x3, no bias on 8x8: 108 params, 4*8*8 outputs x 3*3*3 = 6,912 MACs; bn1: 8 params (4 running
     * stats are buffers); fc: Gemm 4->2 with bias: 10 params, 1*2*4 = 8 MACs. Totals 126 params, 6,920 MACs.
     */
    @BeforeEach
    void writeModel() throws Exception {
        GraphBuilder b = new GraphBuilder("tiny", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("image", DataType.FLOAT, "N", 3, 8, 8);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 4, ConvAttrs.same(3), false)));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 2, true), "logits");
        model = dir.resolve("tiny.onnx");
        Onnx.save(b.build(), model);
    }


    @Test
    void jsonHasTotalsInputsOutputsAndLayers() throws Exception {
        CliRun r = lathe("inspect", model.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(126, j.get("params").asLong());
        assertEquals(6920, j.get("macs").asLong());
        assertEquals(6, j.get("nodes").asInt());
        assertEquals("image", j.get("inputs").get(0).get("name").asText());
        assertEquals("[\"N\",3,8,8]", j.get("inputs").get(0).get("shape").toString());
        assertEquals("float", j.get("inputs").get(0).get("dtype").asText());
        assertEquals("logits", j.get("outputs").get(0).get("name").asText());
        assertEquals("[\"N\",2]", j.get("outputs").get(0).get("shape").toString());
        assertEquals(1, j.get("ops").get("Conv").asInt());
        assertEquals(1, j.get("ops").get("Gemm").asInt());
        JsonNode layers = j.get("layers");
        assertEquals(3, layers.size(), layers.toString());
        assertEquals("Conv", layers.get(0).get("op").asText());
        assertEquals(108, layers.get(0).get("params").asLong());
        assertEquals(6912, layers.get(0).get("macs").asLong());
        assertEquals("[\"N\",4,8,8]", layers.get(0).get("output").get("shape").toString());
        assertEquals(8, layers.get(1).get("params").asLong());
        assertEquals(0, layers.get(1).get("macs").asLong());
        assertEquals(10, layers.get(2).get("params").asLong());
        assertEquals(8, layers.get(2).get("macs").asLong());
        assertEquals(0, j.get("uncounted").size());
    }

    @Test
    void benchInspectTimesLoadInspectAndSave() throws Exception {
        Path copy = dir.resolve("copy.onnx");
        CliRun r = lathe("bench", "inspect", model.toString(), "--runs", "3", "--save-to", copy.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(126, j.get("params").asLong());
        assertEquals(3, j.get("runs").asInt());
        for (String k : new String[] {"load_first_ms", "inspect_median_ms", "save_median_ms", "heap_peak_bytes"}) {
            assertTrue(j.get(k).asDouble() > 0, k + " in " + r.out());
        }
        assertEquals(Onnx.toBytes(Onnx.load(model)).length, Files.size(copy), "the saved copy is the same model");
        assertEquals(2, lathe("bench", "inspect", dir.resolve("missing.onnx").toString()).code());
    }

    @Test
    void textListsEverything() {
        CliRun r = lathe("inspect", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("image"), r.out());
        assertTrue(r.out().contains("float[N, 3, 8, 8]"), r.out());
        assertTrue(r.out().contains("6 nodes: Conv 1 BatchNormalization 1 Relu 1 GlobalAveragePool 1 Flatten 1"
                + " Gemm 1"), r.out());
        assertTrue(r.out().contains("total    126 params, 6,920 MACs"), r.out());
    }

    @Test
    void badFilesGiveOneLineAndNonZeroExit() throws Exception {
        CliRun missing = lathe("inspect", dir.resolve("nope.onnx").toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("no such file") && missing.err().contains("nope.onnx"), missing.err());

        Path junk = dir.resolve("junk.onnx");
        Files.writeString(junk, "definitely not protobuf \u0000\u0001");
        CliRun notOnnx = lathe("inspect", junk.toString());
        assertEquals(2, notOnnx.code());
        assertEquals(1, notOnnx.err().strip().lines().count(), notOnnx.err());
        assertTrue(notOnnx.err().contains("junk.onnx"), notOnnx.err());
        assertFalse(notOnnx.err().contains("\tat "), "no stack trace without --verbose");

        byte[] all = Files.readAllBytes(model);
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(all, all.length * 2 / 3));
        CliRun cut = lathe("inspect", truncated.toString(), "--json");
        assertEquals(2, cut.code());
        assertEquals(1, cut.err().strip().lines().count(), cut.err());
        assertTrue(cut.err().contains("truncated.onnx"), cut.err());
        assertEquals("", cut.out());

        GraphBuilder b = new GraphBuilder("custom", 17);
        Value x = b.input("x", DataType.FLOAT, 2);
        b.output(b.ops().relu(x), "y");
        dev.lathe.graph.ir.Model m = b.build();
        m.graph().nodes().get(0).setOpType("NotAnOnnxOp");
        Path unknownOp = dir.resolve("unknown_op.onnx");
        Onnx.save(m, unknownOp);
        CliRun bad = lathe("inspect", unknownOp.toString());
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().contains("unknown_op.onnx is not a valid model: NotAnOnnxOp node 'Relu': no shape"
                + " inference rule"), bad.err());

        assertEquals(2, lathe("inspect").code());
        CliRun help = lathe("inspect", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--json"), help.out());
    }
}

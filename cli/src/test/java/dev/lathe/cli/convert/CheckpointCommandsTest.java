package dev.lathe.cli.convert;

import static dev.lathe.cli.CliRun.lathe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.cli.CliRun;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.StoredTensor;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointCommandsTest {
    static final Path FIXTURES = Path.of("../converter/src/test/resources/ckpt");


    static Model small(long width) {
        GraphBuilder b = new GraphBuilder("small", Model.DEFAULT_OPSET);
        Nn nn = new Nn(b, 7);
        Value x = b.input("x", DataType.FLOAT, 1, 3, 8, 8);
        Value y = b.ops().relu(nn.batchNorm2d("bn", nn.conv2d("conv", x, width, ConvAttrs.same(3), false)));
        y = nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(y), 1), 3, true);
        b.output(y, "y");
        return b.build();
    }

    @Test
    void inspectListsTensorsWrapperAndPlainEntries() {
        CliRun r = lathe("ckpt", "inspect", FIXTURES.resolve("wrap_timm.pth.tar").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("PyTorch zip archive"), r.out());
        assertTrue(r.out().contains("state_dict: checkpoint['state_dict'], 8 tensors"), r.out());
        assertTrue(r.out().contains("note: checkpoint also holds 'state_dict_ema'"), r.out());
        assertTrue(r.out().matches("(?s).*state_dict keys:\\s+key.*\\nconv\\.weight\\s+FLOAT\\s+\\[4, 3, 3, 3\\]\\s+432.*"),
                r.out());
        assertTrue(r.out().matches("(?s).*other tensors.*state_dict_ema/conv\\.weight\\s+FLOAT.*"), r.out());
        assertTrue(r.out().contains("epoch (int) = 299"), r.out());
        assertTrue(r.out().contains("args/lr (float) = 0.1"), r.out());
    }

    @Test
    void inspectJsonCountsEveryTensor() throws Exception {
        CliRun r = lathe("ckpt", "inspect", FIXTURES.resolve("mixed.safetensors").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("safetensors", j.get("format").asText());
        assertEquals(10, j.get("tensor_count").asInt());
        assertEquals("BFLOAT16", j.get("tensors").get(2).get("dtype").asText());
        assertEquals("generate.py", j.get("metadata").get("source").asText());
    }

    @Test
    void inspectOfAGarbageFileIsOneLineExitTwo(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.pth");
        Files.write(junk, "this is not a checkpoint at all".getBytes(StandardCharsets.US_ASCII));
        CliRun r = lathe("ckpt", "inspect", junk.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("not a PyTorch checkpoint"), r.err());
    }

    @Test
    void importBindsIntoAnOnnxGraphAndWritesIt(@TempDir Path dir) throws Exception {
        Path graph = dir.resolve("small.onnx");
        Onnx.save(small(4), graph);
        Path out = dir.resolve("bound.onnx");
        Path ckpt = FIXTURES.resolve("wrap_net.pth.tar");
        CliRun r = lathe("import", ckpt.toString(), "--onnx", graph.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("state_dict: checkpoint['net']"), r.out());
        assertTrue(r.out().contains("bound 7 tensors"), r.out());
        Model bound = Onnx.load(out);
        Map<?, ?> sd = (Map<?, ?>) ((Map<?, ?>) Checkpoint.read(ckpt).root()).get("net");
        for (String key : new String[] {"conv.weight", "bn.running_var", "fc.bias"}) {
            assertTrue(((StoredTensor) sd.get(key)).toTensor().contentEquals(bound.graph().initializer(key).constValue()),
                    key);
        }
    }

    @Test
    void strictImportFailureWritesNothingAndNamesTheMismatch(@TempDir Path dir) throws Exception {
        Path graph = dir.resolve("small3.onnx");
        Onnx.save(small(3), graph);
        Path out = dir.resolve("bound.onnx");
        CliRun r = lathe("import", FIXTURES.resolve("bare.pth").toString(), "--onnx", graph.toString(), "-o",
                out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("size mismatch for conv.weight"), r.err());
        assertTrue(r.err().contains("strict binding failed (0 missing, 0 unexpected, 6 mismatched keys)"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void nonStrictImportWritesWhatMatchesAndListsTheRest(@TempDir Path dir) throws Exception {
        Path graph = dir.resolve("small3.onnx");
        Onnx.save(small(3), graph);
        Path out = dir.resolve("partial.onnx");
        CliRun r = lathe("import", FIXTURES.resolve("wrap_isp_model.pth").toString(), "--onnx", graph.toString(),
                "--key", "model", "--no-strict", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("note: stripped key prefix 'predictor.model.module.'"), r.out());
        assertTrue(r.out().contains("note: left out 1 keys outside 'predictor.model.module.': selector.gate.weight"),
                r.out());
        assertTrue(r.out().contains("bound 1 tensors"), r.out());
        assertTrue(r.out().contains("size mismatch for conv.weight"), r.out());
        Map<?, ?> sd = (Map<?, ?>) ((Map<?, ?>) Checkpoint.read(FIXTURES.resolve("wrap_isp_model.pth")).root())
                .get("model");
        assertTrue(((StoredTensor) sd.get("predictor.model.module.fc.bias")).toTensor()
                .contentEquals(Onnx.load(out).graph().initializer("fc.bias").constValue()));
    }

    @Test
    void importIntoAZooModelReportsAgainstItsKeys(@TempDir Path dir) {
        Path out = dir.resolve("r18.onnx");
        CliRun r = lathe("import", FIXTURES.resolve("bare.pth").toString(), "--model", "resnet18", "--classes", "3",
                "-o", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Missing key(s) in state_dict: \"conv1.weight\""), r.err());
        assertTrue(r.err().contains("size mismatch for fc.weight"), r.err());
        assertFalse(Files.exists(out));
        CliRun unknown = lathe("import", FIXTURES.resolve("bare.pth").toString(), "--model", "nope", "-o",
                out.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("no zoo model named 'nope'"), unknown.err());
    }
}

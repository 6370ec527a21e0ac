package dev.lathe.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.converter.bind.BindReport;
import dev.lathe.converter.bind.StateDict;
import dev.lathe.converter.bind.StateDictBinder;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Importing a checkpoint makes the graph compute what PyTorch computes: generate.py's Small module (conv-BN-ReLU-GAP-
 * Linear) built with the DSL, its checkpoints (zip, legacy with a DataParallel prefix, half precision) bound by key,
 * run in ONNX Runtime on PyTorch's input, compared with PyTorch's eval-mode output.
 */
class CheckpointImportParityTest {
    static final Path FIXTURES = Path.of("../converter/src/test/resources/ckpt");

    static float[] floats(JsonNode spec) {
        FloatBuffer f = ByteBuffer.wrap(Base64.getDecoder().decode(spec.get("base64").asText()))
                .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[f.remaining()];
        f.get(out);
        return out;
    }

    static Model small() {
        GraphBuilder b = new GraphBuilder("small", Model.DEFAULT_OPSET);
        Nn nn = new Nn(b, 1);
        Value x = b.input("x", DataType.FLOAT, 2, 3, 8, 8);
        Value y = b.ops().relu(nn.batchNorm2d("bn", nn.conv2d("conv", x, 4, ConvAttrs.same(3), false)));
        y = nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(y), 1), 3, true);
        b.output(y, "y");
        return b.build();
    }

    @ParameterizedTest
    @CsvSource({"bare.pth,output", "wrap_net_legacy.pth.tar,output", "wrap_state_dict.pth.tar,output",
        "half.pth,output_half"})
    void boundGraphReproducesPyTorch(String file, String outputKey) throws Exception {
        JsonNode parity = new ObjectMapper().readTree(FIXTURES.resolve("expected.json").toFile()).get("parity");
        Model model = small();
        BindReport report = StateDictBinder.bind(model, StateDict.locate(Checkpoint.read(FIXTURES.resolve(file)), null),
                true);
        assertTrue(report.clean() && report.bound().size() == 7, report.toText());
        float[] want = floats(parity.get(outputKey));
        float[] got = OrtParity.runFloats(model, Map.of("x", Tensor.ofFloats(new long[] {2, 3, 8, 8},
                floats(parity.get("input")))), OrtParity.Settings.ORT_DEFAULTS).get("y");
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 + 1e-5 * Math.abs(want[i]), file + " output " + i);
        }
    }
}

package dev.lathe.graph.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripTest {
    @TempDir
    Path dir;

    static Model smallNet() {
        GraphBuilder b = new GraphBuilder("net", 17);
        Nn nn = new Nn(b, 7);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 16, ConvAttrs.same(3), false)));
        x = b.ops().flatten(b.ops().globalAveragePool(x), 1);
        b.output(nn.linear("fc", x, 5, true), "logits");
        b.graph().metadataProps().put("k", "v");
        Model m = b.build();
        m.metadataProps().put("preprocess.mean", "0.485,0.456,0.406");
        return m;
    }

    static float[] run(byte[] model, float[] input) throws Exception {
        Map<String, Tensor> out = OrtParity.run(model, Map.of("input", Tensor.ofFloats(new long[] {2, 3, 16, 16},
                input)), OrtParity.Settings.ORT_DEFAULTS);
        return out.values().iterator().next().toFloats();
    }

    @Test
    void saveLoadSaveKeepsOutputsBitIdenticalAndMetadata() throws Exception {
        Model m = smallNet();
        float[] input = new float[2 * 3 * 16 * 16];
        Random r = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        float[] before = run(Onnx.toBytes(m), input);
        Path p = dir.resolve("m.onnx");
        Onnx.save(m, p);
        Model loaded = Onnx.load(p);
        assertEquals("v", loaded.graph().metadataProps().get("k"));
        assertEquals("0.485,0.456,0.406", loaded.metadataProps().get("preprocess.mean"));
        assertEquals(m.graph().nodes().size(), loaded.graph().nodes().size());
        assertEquals("N", loaded.graph().inputs().get(0).shape().get(0).toString());
        Path p2 = dir.resolve("m2.onnx");
        Onnx.save(loaded, p2);
        assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(p2), "second save must be byte-identical");
        assertArrayEquals(before, run(Files.readAllBytes(p2), input));
    }

    @Test
    void externalDataRoundTrips() throws Exception {
        Model m = smallNet();
        Path p = dir.resolve("ext.onnx");
        Onnx.save(m, p, OnnxSaveOptions.external("ext.onnx.data"));
        assertTrue(Files.size(dir.resolve("ext.onnx.data")) > 0);
        Model loaded = Onnx.load(p);
        assertTrue(loaded.graph().initializer("conv1.weight").constValue()
                .contentEquals(m.graph().initializer("conv1.weight").constValue()));
        float[] input = new float[2 * 3 * 16 * 16];
        assertArrayEquals(run(Onnx.toBytes(m), input), run(Onnx.toBytes(loaded), input));
    }

    @Test
    void badFilesGiveMessagesNamingTheFile() throws Exception {
        Path junk = dir.resolve("junk.onnx");
        Files.writeString(junk, "this is not a model");
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> Onnx.load(junk));
        assertTrue(e.getMessage().contains("junk.onnx"), e.getMessage());
        Path p = dir.resolve("t.onnx");
        Onnx.save(smallNet(), p);
        byte[] all = Files.readAllBytes(p);
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        e = assertThrows(OnnxFormatException.class, () -> Onnx.load(truncated));
        assertTrue(e.getMessage().contains("truncated.onnx"), e.getMessage());
    }
}

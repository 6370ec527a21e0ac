package dev.lathe.cli.convert;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.cli.CliRun;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two import mistakes users make most get a hint naming the flag that fixes them. */
class ImportHintsTest {
    @TempDir
    Path dir;

    /** A .safetensors file of float32 tensors (8-byte header length, JSON header, data), as safetensors writes it. */
    private static void writeSafetensors(Path file, Map<String, Tensor> tensors) throws Exception {
        StringBuilder header = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            byte[] raw = new byte[(int) t.byteSize()];
            t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).get(0, raw);
            StringBuilder shape = new StringBuilder();
            for (long d : t.dims()) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            header.append(header.length() == 1 ? "" : ",").append('"').append(e.getKey()).append("\":{\"dtype\":\"F32\","
                    + "\"shape\":[").append(shape).append("],\"data_offsets\":[").append(data.size()).append(',')
                    .append(data.size() + raw.length).append("]}");
            data.write(raw);
        }
        byte[] h = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(len.array());
        all.write(h);
        all.write(data.toByteArray());
        Files.write(file, all.toByteArray());
    }

    private static Map<String, Tensor> floatInitializers(Model m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Value v : m.graph().initializers().values()) {
            if (v.constValue().dtype() == DataType.FLOAT) {
                out.put(v.name(), v.constValue());
            }
        }
        return out;
    }

    @Test
    void aClassCountMismatchNamesTheClassesFlag() throws Exception {
        Path ckpt = dir.resolve("hundred.safetensors");
        writeSafetensors(ckpt, floatInitializers(ModelZoo.get("cifar_resnet56").build(new ZooConfig(100, 32, 0))));
        CliRun r = lathe("import", ckpt.toString(), "--model", "cifar_resnet56", "-o", dir.resolve("o.onnx").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("has 100 classes and the model 10: pass --classes 100"), r.err());
        CliRun fixed = lathe("import", ckpt.toString(), "--model", "cifar_resnet56", "--classes", "100", "-o",
                dir.resolve("o.onnx").toString());
        assertEquals(0, fixed.code(), fixed.err());
    }

    @Test
    void aTorchExportWithFoldedBatchNormsSuggestsTheZooModel() throws Exception {
        GraphBuilder b = new GraphBuilder("folded", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("image", DataType.FLOAT, "N", 3, 8, 8);
        b.output(b.ops().relu(nn.conv2d("conv1", x, 4, ConvAttrs.same(3), true)), "y"); // conv1.bias: BN folded in
        Path graph = dir.resolve("folded.onnx");
        Onnx.save(b.build(), graph);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("conv1.weight", Tensor.ofFloats(new long[] {4, 3, 3, 3}, new float[108]));
        for (String k : new String[] {"weight", "bias", "running_mean", "running_var"}) {
            sd.put("bn1." + k, Tensor.ofFloats(new long[] {4}, 1, 1, 1, 1));
        }
        Path ckpt = dir.resolve("bn.safetensors");
        writeSafetensors(ckpt, sd);
        CliRun r = lathe("import", ckpt.toString(), "--onnx", graph.toString(), "-o", dir.resolve("o.onnx").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("the graph has no BatchNormalization: torch.onnx folded them")
                && r.err().contains("--model NAME"), r.err());
    }
}

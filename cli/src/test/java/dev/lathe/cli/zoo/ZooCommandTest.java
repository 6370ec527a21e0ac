package dev.lathe.cli.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.cli.Main;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe zoo list / build} through {@link Main#run}: published counts, options, weights bound by key. */
class ZooCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int lathe(String... args) {
        out.reset();
        err.reset();
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void listJsonHasEveryModelWithTorchvisionCounts() throws Exception {
        assertEquals(0, lathe("zoo", "list", "--json"), err.toString());
        JsonNode rows = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(ModelZoo.entries().size(), rows.size());
        JsonNode resnet50 = null;
        for (JsonNode r : rows) {
            if (r.get("name").asText().equals("resnet50")) {
                resnet50 = r;
            }
        }
        assertEquals(25_557_032L, resnet50.get("params").asLong());
        assertEquals(4.09, resnet50.get("macs").asLong() / 1e9, 0.005);
        assertTrue(resnet50.get("paper").asText().contains("torchvision"));
    }

    /** The listed counts are the built graph's: stored ones (for all models see ZooCountsTest) and --recount agree. */
    @Test
    void listedCountsAreTheBuiltGraphsAndRecountAgrees() throws Exception {
        ModelCount built = ModelCounter.count(ModelZoo.get("cifar_resnet56").build());
        for (String[] args : List.of(new String[] {"zoo", "list", "--json", "cifar_resnet56"},
                new String[] {"zoo", "list", "--json", "--recount", "cifar_resnet56"})) {
            assertEquals(0, lathe(args), err.toString());
            JsonNode rows = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
            assertEquals(1, rows.size(), String.join(" ", args));
            assertEquals(built.params(), rows.get(0).get("params").asLong(), String.join(" ", args));
            assertEquals(built.macs(), rows.get(0).get("macs").asLong(), String.join(" ", args));
        }
        assertEquals(2, lathe("zoo", "list", "resnet9000"));
        assertTrue(err.toString().contains("no zoo model named 'resnet9000'"), err.toString());
    }

    @Test
    void buildWritesSymbolicBatchAndRequestedClassesAndResolution() throws Exception {
        Path file = dir.resolve("mobilenet_v2.onnx"); // a small model (3.5 M parameters) keeps the test quick
        assertEquals(0, lathe("zoo", "build", "mobilenet_v2", "--classes", "7", "--resolution", "64", "-o",
                file.toString()), err.toString());
        Model m = Onnx.load(file);
        Value in = m.graph().inputs().get(0);
        assertTrue(in.shape().get(0) instanceof Dim.Symbolic, "batch is symbolic: " + in.shape());
        assertEquals(64, in.shape().get(2).size());
        assertArrayEquals(new long[] {7, 1280}, m.graph().initializer("classifier.1.weight").constValue().dims());
    }

    @Test
    void weightsBindByStateDictKeyAndMisfitsAreRefused() throws Exception {
        Model source = ModelZoo.get("cifar_resnet56").build(new ZooConfig(10, 32, 42));
        Path weights = dir.resolve("resnet56.safetensors");
        writeSafetensors(source, weights);
        Path file = dir.resolve("bound.onnx");
        assertEquals(0, lathe("zoo", "build", "cifar_resnet56", "--weights", weights.toString(), "-o", file.toString()),
                err.toString());
        Model bound = Onnx.load(file);
        for (Map.Entry<String, Value> e : source.graph().initializers().entrySet()) {
            if (e.getValue().constValue().dtype().isFloatingPoint() && e.getValue().constValue().rank() > 0) {
                assertTrue(e.getValue().constValue().contentEquals(
                        bound.graph().initializer(e.getKey()).constValue()), e.getKey());
            }
        }
        // seed 0 (the default) draws other weights than seed 42, so equality above came from the file
        Model unbound = ModelZoo.get("cifar_resnet56").build();
        assertFalse(unbound.graph().initializer("conv1.weight").constValue()
                .contentEquals(source.graph().initializer("conv1.weight").constValue()));

        Path refused = dir.resolve("refused.onnx");
        assertEquals(2, lathe("zoo", "build", "cifar_resnet56", "--classes", "5", "--weights", weights.toString(),
                "-o", refused.toString()));
        assertTrue(err.toString().contains("fc.weight"), err.toString());
        assertFalse(Files.exists(refused));
    }

    @Test
    void badInputIsOneLineExitTwo() {
        assertEquals(2, lathe("zoo", "build", "resnet9000", "-o", dir.resolve("x.onnx").toString()));
        assertTrue(err.toString().contains("no zoo model named 'resnet9000'"), err.toString());
        assertEquals(2, lathe("zoo", "build", "resnet18", "--classes", "zero", "-o", dir.resolve("x.onnx").toString()));
        assertEquals(1, err.toString().strip().split("\n").length, err.toString());
        assertEquals(0, lathe("zoo", "build", "--help"));
    }

    /** The float parameters of a model as a safetensors file (8-byte header length, JSON header, raw data). */
    private static void writeSafetensors(Model m, Path file) throws Exception {
        ObjectNode header = new ObjectMapper().createObjectNode();
        List<Tensor> tensors = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, Value> e : m.graph().initializers().entrySet()) {
            Tensor t = e.getValue().constValue();
            if (!t.dtype().isFloatingPoint() || t.rank() == 0) {
                continue;
            }
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", "F32");
            var shape = entry.putArray("shape");
            for (long d : t.dims()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
            tensors.add(t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream os = Files.newOutputStream(file)) {
            os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            os.write(json);
            for (Tensor t : tensors) {
                ByteBuffer b = t.data().duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                os.write(bytes);
            }
        }
    }
}

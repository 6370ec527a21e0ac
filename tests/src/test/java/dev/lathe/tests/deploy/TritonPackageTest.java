package dev.lathe.tests.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.cli.Main;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.converter.deploy.TritonConfig;
import dev.lathe.converter.deploy.proto.ModelConfigProto.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe package --format triton} on a zoo model, a torch export and a TensorRT plan reference: every
 * config.pbtxt parses with protobuf TextFormat against Triton's model_config.proto (kept in converter/src/main/proto)
 * and equals its golden file in {@code fixtures/triton/} ({@code -Dgolden.write=true} rewrites them).
 */
class TritonPackageTest {
    @TempDir
    Path dir;

    static Path fixtures() throws Exception {
        return Path.of(TritonPackageTest.class.getResource("/fixtures/exports/exports.json").toURI()).getParent()
                .getParent();
    }

    static String[] lathe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8)};
    }

    static void ok(String... args) {
        String[] r = lathe(args);
        assertEquals("0", r[0], String.join(" ", args) + ": " + r[2]);
    }

    private void checkGolden(Path modelDir, String golden) throws Exception {
        String text = Files.readString(modelDir.resolve("config.pbtxt"));
        ModelConfig parsed = TritonConfig.parse(text, golden); // the schema accepts every field name and value
        assertEquals(modelDir.getFileName().toString(), parsed.getName());
        Path g = Path.of("src/test/resources/fixtures/triton").resolve(golden);
        if (Boolean.getBoolean("golden.write")) {
            Files.writeString(g, text);
        }
        assertEquals(Files.readString(fixtures().resolve("triton").resolve(golden)), text, golden);
    }

    @Test
    void zooModelWithLabelsInstancesAndDynamicBatching() throws Exception {
        Path m = dir.resolve("m.onnx");
        ok("zoo", "build", "cifar_resnet56", "--classes", "3", "-o", m.toString());
        Path labels = dir.resolve("l.txt");
        Files.writeString(labels, "cat\ndog\nbird\n");
        ok("meta", "set", m.toString(), "labels=@" + labels, "--in-place");
        Path repo = dir.resolve("repo");
        ok("package", m.toString(), "--format", "triton", "-o", repo.toString(), "--max-batch", "32", "--instances",
                "2", "--kind", "cpu", "--dynamic-batching", "--max-queue-delay-us", "100");
        Path md = repo.resolve("cifar_resnet56");
        checkGolden(md, "cifar_resnet56.pbtxt");
        assertEquals("cat\ndog\nbird\n", Files.readString(md.resolve("labels.txt")));
        assertArrayEquals(Files.readAllBytes(m), Files.readAllBytes(md.resolve("1/model.onnx")));
        try (Stream<Path> s = Files.list(repo)) {
            assertEquals(1, s.count(), "no temporary folder is left in the repository");
        }
        // the same name again is refused unless --overwrite
        String[] again = lathe("package", m.toString(), "--format", "triton", "-o", repo.toString());
        assertEquals("2", again[0]);
        assertTrue(again[2].contains("already exists") && again[2].contains("--overwrite"), again[2]);
        ok("package", m.toString(), "--format", "triton", "-o", repo.toString(), "--overwrite");
    }

    @Test
    void torchExportWithTensorRtAcceleratorForOrt() throws Exception {
        Path m = fixtures().resolve("exports/resnet18_narrow_op13.onnx");
        Path repo = dir.resolve("repo");
        ok("package", m.toString(), "--format", "triton", "-o", repo.toString(), "--kind", "gpu",
                "--trt-accelerator", "FP16");
        checkGolden(repo.resolve("resnet18_narrow_op13"), "resnet18_narrow_op13.pbtxt");
    }

    @Test
    void planReference() throws Exception {
        Path m = fixtures().resolve("exports/resnet18_narrow_op13.onnx");
        Path plan = dir.resolve("resnet18.plan");
        Files.write(plan, new byte[] {1, 2, 3, 4}); // a plan is opaque to packaging: copied, never parsed
        Path repo = dir.resolve("repo");
        ok("package", m.toString(), "--format", "triton", "-o", repo.toString(), "--name", "resnet18_trt", "--plan",
                plan.toString(), "--max-batch", "16", "--kind", "gpu", "--dynamic-batching");
        checkGolden(repo.resolve("resnet18_trt"), "resnet18_trt_plan.pbtxt");
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(repo.resolve("resnet18_trt/1/model.plan")));
        assertFalse(Files.exists(repo.resolve("resnet18_trt/1/model.onnx")));
    }

    /** A QDQ (INT8) model: FP32 at the interface, lathe.quantization.* metadata carried into the deployed file. */
    @Test
    void int8QdqModel() throws Exception {
        Path m = fixtures().resolve("triton/int8_qdq.onnx");
        Path repo = dir.resolve("repo");
        ok("package", m.toString(), "--format", "triton", "-o", repo.toString(), "--max-batch", "64",
                "--dynamic-batching", "--kind", "gpu", "--trt-accelerator", "INT8");
        checkGolden(repo.resolve("int8_qdq"), "int8_qdq.pbtxt");
        String[] meta = lathe("meta", "get", repo.resolve("int8_qdq/1/model.onnx").toString(),
                "lathe.quantization.format");
        assertEquals("qdq", meta[1].strip(), meta[2]);
    }

    @Test
    void badRequestsAreOneLine() throws Exception {
        Path m = fixtures().resolve("exports/resnet18_narrow_op13.onnx");
        Path repo = dir.resolve("repo");
        String[] r = lathe("package", m.toString(), "--format", "triton", "-o", repo.toString(),
                "--dynamic-batching", "--max-batch", "1");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--dynamic-batching needs --max-batch > 1"), r[2]);
        r = lathe("package", m.toString(), "--format", "tf", "-o", repo.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--format must be triton or bundle"), r[2]);
        r = lathe("package", dir.resolve("none.onnx").toString(), "--format", "triton", "-o", repo.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("none.onnx"), r[2]);
    }

    /** The schema is what catches a misspelt field: TextFormat refuses a name model_config.proto does not have. */
    @Test
    void schemaRefusesMisspeltFields() {
        PackageException e = assertThrows(PackageException.class,
                () -> TritonConfig.parse("name: \"m\"\nmax_batch_sise: 4\n", "config.pbtxt"));
        assertTrue(e.getMessage().contains("max_batch_sise"), e.getMessage());
        e = assertThrows(PackageException.class, () -> TritonConfig.parse(
                "input { name: \"x\" data_type: TYPE_FP33 dims: [3] }", "config.pbtxt"));
        assertTrue(e.getMessage().contains("TYPE_FP33"), e.getMessage());
        // Triton's own documentation example parses
        ModelConfig c = TritonConfig.parse("name: \"densenet_onnx\"\nplatform: \"onnxruntime_onnx\"\nmax_batch_size: 0\n"
                + "input [{ name: \"data_0\" data_type: TYPE_FP32 format: FORMAT_NCHW dims: [ 3, 224, 224 ]"
                + " reshape { shape: [ 1, 3, 224, 224 ] } }]\noutput [{ name: \"fc6_1\" data_type: TYPE_FP32"
                + " dims: [ 1000 ] reshape { shape: [ 1, 1000, 1, 1 ] } label_filename: \"densenet_labels.txt\" }]\n"
                + "instance_group [{ count: 2 kind: KIND_GPU gpus: [ 0 ] }]\n"
                + "dynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 }\n"
                + "version_policy: { latest { num_versions: 2 } }\n"
                + "parameters { key: \"intra_op_thread_count\" value: { string_value: \"2\" } }\n"
                + "optimization { graph { level: 1 } execution_accelerators { gpu_execution_accelerator : [ {"
                + " name : \"tensorrt\" parameters { key: \"precision_mode\" value: \"FP16\" } } ] } }", "doc");
        assertEquals(2, c.getInstanceGroup(0).getCount());
    }
}

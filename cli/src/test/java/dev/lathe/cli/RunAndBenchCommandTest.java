package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe run} and {@code lathe bench infer} driven through {@link Main#run}. */
class RunAndBenchCommandTest {
    private static final float[] W = {2f, -1f, 0.5f};

    @TempDir
    Path dir;
    private Path model;

    /** scaled[N,3] = x * W and y[N,3] = relu(scaled), two outputs whose values are easy to state. */
    @BeforeEach
    void writeModel() throws IOException {
        GraphBuilder b = new GraphBuilder("cli_model", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 3);
        Value scaled = b.ops().mul(x, b.param("w", Tensor.ofFloats(new long[] {3}, W)));
        b.output(scaled, "scaled");
        b.output(b.ops().relu(scaled), "y");
        model = dir.resolve("model.onnx");
        Onnx.save(b.build(), model);
    }


    private Path npy(String name, HostTensor t) throws IOException {
        Path p = dir.resolve(name);
        Npy.write(p, t);
        return p;
    }

    @Test
    void runWritesEveryOutputAsNpy() throws IOException {
        Path x = npy("x.npy", HostTensor.ofFloats(new long[] {2, 3}, 1, 2, 3, -4, 5, -6));
        Path out = dir.resolve("out");
        CliRun r = lathe("run", model.toString(), "--input", "x=" + x, "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        HostTensor scaled = Npy.read(out.resolve("scaled.npy"));
        HostTensor y = Npy.read(out.resolve("y.npy"));
        assertArrayEquals(new long[] {2, 3}, y.shape());
        assertArrayEquals(new float[] {2, -2, 1.5f, -8, -5, -3}, scaled.toFloats());
        assertArrayEquals(new float[] {2, 0, 1.5f, 0, 0, 0}, y.toFloats());
        assertTrue(r.out().contains("y.npy"), r.out());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(2, files.count(), "no temporary files left");
        }
    }

    @Test
    void outputsSelectsGraphOutputsAndIntermediates() throws IOException {
        GraphBuilder b = new GraphBuilder("hidden_model", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 3);
        Value hidden = b.ops().mul(x, b.param("w", Tensor.ofFloats(new long[] {3}, W)));
        hidden.setName("hidden");
        b.output(b.ops().relu(hidden), "y");
        Path hiddenModel = dir.resolve("hidden.onnx");
        Onnx.save(b.build(), hiddenModel);
        Path x1 = npy("x.npy", HostTensor.ofFloats(new long[] {1, 3}, 1, 2, 3));

        Path out = dir.resolve("sel");
        CliRun r = lathe("run", hiddenModel.toString(), "--input", "x=" + x1, "-o", out.toString(),
                "--outputs", "hidden");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new float[] {2, -2, 1.5f}, Npy.read(out.resolve("hidden.npy")).toFloats());
        assertFalse(Files.exists(out.resolve("y.npy")), "only the requested value is written");

        r = lathe("run", hiddenModel.toString(), "--input", "x=" + x1, "-o", out.toString(), "--outputs", "y,hidden");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new float[] {2, 0, 1.5f}, Npy.read(out.resolve("y.npy")).toFloats());

        r = lathe("run", hiddenModel.toString(), "--input", "x=" + x1, "-o", out.toString(), "--outputs", "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'nope'"), r.err());
    }

    @Test
    void aOneInputModelTakesTheFileWithoutAName() throws IOException {
        Path x = npy("x.npy", HostTensor.ofFloats(new long[] {1, 3}, 1, 1, 1));
        CliRun r = lathe("run", model.toString(), "--input", x.toString(), "-o", dir.resolve("o").toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new float[] {2, 0, 0.5f}, Npy.read(dir.resolve("o/y.npy")).toFloats());
    }

    @Test
    void wrongInputNameIsOneLineWithExitCode2() throws IOException {
        Path x = npy("x.npy", HostTensor.ofFloats(new long[] {1, 3}, 1, 2, 3));
        CliRun r = lathe("run", model.toString(), "--input", "images=" + x, "-o", dir.resolve("o").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("unknown input 'images'") && r.err().contains("x: float32[N,3]"), r.err());
        assertFalse(Files.exists(dir.resolve("o")), "nothing written on failure");
    }

    @Test
    void wrongInputShapeNamesExpectedAndGiven() throws IOException {
        Path x = npy("x.npy", HostTensor.ofFloats(new long[] {1, 4}, 1, 2, 3, 4));
        CliRun r = lathe("run", model.toString(), "--input", "x=" + x, "-o", dir.resolve("o").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("input 'x' has shape [1, 4], model expects [N, 3]"), r.err());
    }

    @Test
    void badFilesAreOneClearLine() throws IOException {
        CliRun r = lathe("run", dir.resolve("absent.onnx").toString(), "--input", "x=x.npy", "-o", "o");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model file not found") && r.err().contains("absent.onnx"), r.err());

        Path notOnnx = dir.resolve("notes.onnx");
        Files.writeString(notOnnx, "these are not protobuf bytes");
        Path x = npy("x.npy", HostTensor.ofFloats(new long[] {1, 3}, 1, 2, 3));
        r = lathe("run", notOnnx.toString(), "--input", "x=" + x, "-o", "o");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("notes.onnx"), r.err());

        Path truncated = dir.resolve("truncated.onnx");
        byte[] full = Files.readAllBytes(model);
        Files.write(truncated, java.util.Arrays.copyOf(full, full.length / 2));
        r = lathe("run", truncated.toString(), "--input", "x=" + x, "-o", "o");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        Path badNpy = dir.resolve("bad.npy");
        Files.writeString(badNpy, "nope");
        r = lathe("run", model.toString(), "--input", "x=" + badNpy, "-o", "o");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.npy") && r.err().contains("not a .npy file"), r.err());

        r = lathe("run", model.toString(), "--input", "x=" + dir.resolve("gone.npy"), "-o", "o");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("input file not found for 'x'"), r.err());
    }

    @Test
    void cudaOnACpuBuildIsOneClearLine() throws IOException {
        Path x = npy("x.npy", HostTensor.ofFloats(new long[] {1, 3}, 1, 2, 3));
        CliRun r = lathe("run", model.toString(), "--input", "x=" + x, "-o", "o", "--device", "cuda");
        org.junit.jupiter.api.Assumptions.assumeTrue(r.code() != 0, "a CUDA device is present");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("CUDA device 0 unavailable"), r.err());
    }

    /** Every command that runs a model takes --runtime; an unknown name is one line naming what is installed. */
    @Test
    void unknownRuntimeIsOneLineNamingTheInstalledOnes() throws IOException {
        Path x = npy("x.npy", HostTensor.ofFloats(new long[] {1, 3}, 1, 2, 3));
        String[][] commands = {
            {"run", model.toString(), "--input", "x=" + x, "-o", dir.resolve("o").toString(), "--runtime", "trt"},
            {"bench", "infer", model.toString(), "--runtime", "trt"},
            {"eval", "--onnx", model.toString(), "--runtime", "trt"},
            {"train", "--model", "cic_resnet32", "--out", dir.resolve("t").toString(), "--runtime", "trt"},
            {"bench", "train", "--model", "cic_resnet32", "--runtime", "trt"},
            {"demo", "--out", dir.resolve("d").toString(), "--runtime", "trt"},
        };
        for (String[] args : commands) {
            CliRun r = lathe(args);
            String name = args[0].equals("bench") ? "bench " + args[1] : args[0];
            assertEquals(2, r.code(), name + ": " + r.err());
            assertEquals("lathe " + name + ": unknown runtime 'trt'; installed: ort-cpu, ort-cuda", r.err().strip());
        }
        assertTrue(Files.notExists(dir.resolve("o")) && Files.notExists(dir.resolve("t"))
                && Files.notExists(dir.resolve("d").resolve("cifar_resnet56.onnx")));
    }

    @Test
    void runtimeAndDeviceTogether() throws IOException {
        Path x = npy("x.npy", HostTensor.ofFloats(new long[] {1, 3}, 1, 2, 3));
        CliRun ok = lathe("run", model.toString(), "--input", "x=" + x, "-o", dir.resolve("o").toString(),
                "--runtime", "ort-cpu", "--device", "cpu");
        assertEquals(0, ok.code(), ok.err());
        CliRun wrong = lathe("run", model.toString(), "--input", "x=" + x, "-o", dir.resolve("o").toString(),
                "--runtime", "ort-cpu", "--device", "cuda:1");
        assertEquals(2, wrong.code());
        assertEquals("lathe run: ort-cpu runs on cpu, not on cuda:1; use the runtime ort-cuda for " + model,
                wrong.err().strip());
    }

    /** {@code bench train} with AdamW, accumulation and EMA: full steps run and the JSON carries the rates. */
    @Test
    void benchTrainJsonWithAccumulationAndEma() throws IOException {
        CliRun r = lathe("bench", "train", "--model", "cic_resnet32", "--batch", "4", "--resolution", "16",
                "--classes", "10", "--threads", "1", "--steps", "2", "--warmup", "1", "--opt", "adamw", "--accum", "2",
                "--ema", "0.99", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(2, json.get("steps").asInt());
        assertEquals(4 / json.get("step_seconds").asDouble(), json.get("images_per_second").asDouble(),
                1e-6 * json.get("images_per_second").asDouble());
        double outside = json.get("outside_runtime_fraction").asDouble();
        assertTrue(outside >= 0 && outside < 1, r.out());
        CliRun bad = lathe("bench", "train", "--model", "cic_resnet32", "--ema", "1.5");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--ema must be a decay in [0, 1)"), bad.err());
    }

    /** {@code bench loader}: the augmentation pipeline alone, batches counted after warm-up, JSON rate. */
    @Test
    void benchLoaderJsonWithRandAugmentAndErasing() throws IOException {
        CliRun r = lathe("bench", "loader", "--resolution", "32", "--batch", "4", "--batches", "2", "--warmup", "1",
                "--aa", "rand-m9-mstd0.5-inc1", "--reprob", "0.25", "--train-interpolation", "random", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(8, json.get("images").asInt());
        assertEquals(8 / json.get("seconds").asDouble(), json.get("images_per_second").asDouble(),
                1e-3 * json.get("images_per_second").asDouble());
        assertTrue(json.get("augmentation").asText().contains("aa rand-m9-n2-p0.5-mstd0.5-inc1"), r.out());
        CliRun bad = lathe("bench", "loader", "--aa", "rand-q3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--aa rand-q3: unknown section 'q3'"), bad.err());
    }

    /** {@code bench loader --aa} with an AutoAugment policy. */
    @Test
    void benchLoaderJsonWithAutoAugment() throws IOException {
        CliRun r = lathe("bench", "loader", "--resolution", "32", "--batch", "4", "--batches", "2", "--warmup", "1",
                "--aa", "original-mstd0.5", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(8, json.get("images").asInt());
        assertTrue(json.get("augmentation").asText().contains("interpolation bilinear, aa original-mstd0.5,"), r.out());
    }

    /** {@code bench loader --aa} with AugMix (timm's defaults filled in); a bad section names the flag and grammar. */
    @Test
    void benchLoaderJsonWithAugMix() throws IOException {
        CliRun r = lathe("bench", "loader", "--resolution", "32", "--batch", "4", "--batches", "2", "--warmup", "1",
                "--aa", "augmix-m5", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(8, json.get("images").asInt());
        assertTrue(json.get("augmentation").asText().contains("interpolation bilinear, aa augmix-m5-w3-a1-b0,"),
                r.out());
        CliRun bad = lathe("bench", "loader", "--aa", "augmix-m5-n2");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--aa augmix-m5-n2: unknown section 'n2' (AugMix takes m, w, d, mstd, a and b);"
                + " expected timm's RandAugment grammar"), bad.err());
    }

    @Test
    void benchInferJsonHasMedianAndThroughput() throws IOException {
        CliRun r = lathe("bench", "infer", model.toString(), "--batch", "4", "--threads", "1", "--warmup-ms", "10",
                "--duration", "0.2", "--iterations", "20", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("median_ms").asDouble() > 0, r.out());
        assertTrue(json.get("iterations").asInt() >= 20, r.out());
        assertTrue(json.get("wall_s").asDouble() >= 0.2, r.out());
        assertEquals(4 * json.get("iterations").asDouble() / json.get("wall_s").asDouble(),
                json.get("throughput").asDouble(), 1e-6 * json.get("throughput").asDouble());
        assertEquals(4, json.get("inputs").get("x").get(0).asInt());
        assertEquals(4, json.get("batch").asInt());
    }

    @Test
    void benchInferTakesFullShapesForDynamicDimensions() throws IOException {
        GraphBuilder b = new GraphBuilder("dynamic_hw", 17);
        b.output(b.ops().relu(b.input("img", DataType.FLOAT, "N", 3, "H", "W")), "y");
        Path dynamic = dir.resolve("dynamic.onnx");
        Onnx.save(b.build(), dynamic);
        CliRun r = lathe("bench", "infer", dynamic.toString(), "--warmup-ms", "0", "--duration", "0", "--json");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--shape img="), r.err());
        r = lathe("bench", "infer", dynamic.toString(), "--shape", "img=2x3x5x7", "--warmup-ms", "0", "--duration",
                "0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode shape = new ObjectMapper().readTree(r.out()).get("inputs").get("img");
        assertEquals("[2,3,5,7]", shape.toString());
        r = lathe("bench", "infer", dynamic.toString(), "--shape", "img=2x3xfive");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'five'"), r.err());
    }

    @Test
    void benchInferTextAndBadFlags() {
        CliRun r = lathe("bench", "infer", model.toString(), "--warmup-ms", "0", "--duration", "0",
                "--iterations", "10");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Throughput:") && r.out().contains("median = "), r.out());

        r = lathe("bench", "infer", model.toString(), "--batch", "zero");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--batch must be a positive integer, got 'zero'"), r.err());

        r = lathe("bench", "infer", model.toString(), "--duration", "-1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--duration"), r.err());
    }

    @Test
    void everyNewCommandHasHelp() {
        for (String[] cmd : new String[][] {{"run", "--help"}, {"bench", "infer", "--help"}}) {
            CliRun r = lathe(cmd);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("usage: lathe " + cmd[0]), r.out());
        }
    }
}

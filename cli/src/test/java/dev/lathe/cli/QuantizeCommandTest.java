package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    private static final String DATA = "synthetic:classes=4,size=8,val-per-class=10,seed=2";

    @TempDir
    Path dir;
    private Path model;

    /** conv-relu-conv + skip, pool, classifier over 4 classes on [N,3,8,8]. */
    @BeforeEach
    void writeModel() throws IOException {
        GraphBuilder b = new GraphBuilder("net", 17);
        Ops o = b.ops();
        Random r = new Random(4);
        Value x = b.input("x", DataType.FLOAT, "N", 3, 8, 8);
        Value a = o.relu(o.conv(x, b.param("c1.weight", gaussian(r, 8, 3, 3, 3)), b.param("c1.bias", gaussian(r,
                8)), ConvAttrs.same(3)));
        Value c = o.conv(a, b.param("c2.weight", gaussian(r, 8, 8, 3, 3)), null, ConvAttrs.same(3));
        Value s = o.relu(o.add(c, a));
        b.output(o.gemm(o.flatten(o.globalAveragePool(s), 1), b.param("fc.weight", gaussian(r, 4, 8)), null, true),
                "logits");
        model = dir.resolve("net.onnx");
        Onnx.save(b.build(), model);
    }

    private static Tensor gaussian(Random r, long... dims) {
        float[] v = new float[(int) Tensor.numel(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.3);
        }
        return Tensor.ofFloats(dims, v);
    }

    private static long count(Model m, String op) {
        return m.graph().nodes().stream().filter(n -> n.opType().equals(op)).count();
    }

    @Test
    void quantizesFromDataPrintsTheReportAndRecordsItInMetadata() throws IOException {
        Path out = dir.resolve("net.int8.onnx");
        CliRun r = lathe("quantize", model.toString(), "--data", DATA, "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String line : List.of("size", "quantized   Add 1/1, Conv 2/2, Flatten 1/1, Gemm 1/1,"
                + " GlobalAveragePool 1/1", "folded      2 ReLU/Clip", "SQNR", "top-1", "labelled images")) {
            assertTrue(r.out().contains(line), line + " in\n" + r.out());
        }
        Model q = Onnx.load(out);
        assertEquals("ort-cpu", q.metadataProps().get("lathe.quantization.target"));
        assertEquals("percentile", q.metadataProps().get("lathe.quantization.method"));
        assertTrue(q.metadataProps().get("lathe.quantization.ranges").startsWith("{\"x\":["));
        assertEquals(0, count(q, "Relu"));
        assertTrue(count(q, "QuantizeLinear") >= 5);
    }

    @Test
    void accuracyIsNotReportedAgainstLabelsOfOtherClasses() {
        Path out = dir.resolve("net.int8.onnx");
        CliRun r = lathe("quantize", model.toString(), "--data", DATA.replace("classes=4", "classes=5"), "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("accuracy    not reported: --data has 5 classes, the model's output 'logits' has 4"
                + " scores"), r.out());
        assertFalse(r.out().contains("labelled images"), r.out());
        assertTrue(r.out().contains("top-1"), r.out());
    }

    @Test
    void aRangesFileFromCalibrateGivesTheSameModel() throws IOException {
        Path ranges = dir.resolve("ranges.json");
        assertEquals(0, lathe("calibrate", model.toString(), "--data", DATA, "--method", "entropy", "-o",
                ranges.toString()).code());
        Path fromFile = dir.resolve("a.onnx");
        Path fromData = dir.resolve("b.onnx");
        CliRun a = lathe("quantize", model.toString(), "--ranges", ranges.toString(), "--target", "tensorrt", "-o",
                fromFile.toString());
        assertEquals(0, a.code(), a.err());
        assertFalse(a.out().contains("top-1"), "no data, no agreement: " + a.out());
        assertEquals(0, lathe("quantize", model.toString(), "--data", DATA, "--method", "entropy", "--target",
                "tensorrt", "-o", fromData.toString()).code());
        Model ma = Onnx.load(fromFile);
        Model mb = Onnx.load(fromData);
        assertEquals(ma.metadataProps().get("lathe.quantization.ranges"),
                mb.metadataProps().get("lathe.quantization.ranges"));
        List<Node> qa = ma.graph().nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).toList();
        List<Node> qb = mb.graph().nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).toList();
        assertEquals(qa.size(), qb.size());
        for (int i = 0; i < qa.size(); i++) {
            assertTrue(qa.get(i).input(1).constValue().contentEquals(qb.get(i).input(1).constValue()));
        }
        assertEquals(2, count(ma, "Relu"), "the tensorrt layout leaves activations to TensorRT");
    }

    @Test
    void fp16NeedsNoCalibration() throws IOException {
        Path out = dir.resolve("net.fp16.onnx");
        CliRun r = lathe("quantize", model.toString(), "--fp16", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Model m = Onnx.load(out);
        assertEquals("fp16", m.metadataProps().get("lathe.precision"));
        assertEquals(DataType.FLOAT, m.graph().inputs().get(0).dtype());
        assertTrue(count(m, "Cast") >= 2);
    }

    @Test
    void badInputIsOneLineWithExitTwoAndWritesNothing() throws IOException {
        Path out = dir.resolve("never.onnx");
        Path badJson = Files.writeString(dir.resolve("bad.json"), "{\"tensors\": {\"x\": {\"min\": \"low\"}}}");
        Path partial = Files.writeString(dir.resolve("partial.json"),
                "{\"tensors\": {\"x\": {\"min\": -1, \"max\": 1}}}");
        String m = model.toString();
        String o = out.toString();
        String[][] cases = {
            {"quantize", m, "-o", o},
            {"quantize", m, "--ranges", badJson.toString(), "-o", o},
            {"quantize", m, "--ranges", partial.toString(), "-o", o},
            {"quantize", m, "--data", DATA, "--target", "tflite", "-o", o},
            {"quantize", m, "--data", DATA, "--exclude", "nosuch", "-o", o},
            {"quantize", m, "--data", DATA, "--fp16-keep", "Softmax", "-o", o},
            {"quantize", m, "--ranges", partial.toString(), "--max-agreement-drop", "1", "-o", o},
            {"quantize", m, "--data", DATA, "--max-agreement-drop", "-1", "-o", o},
        };
        String[] expected = {"--data SPEC (to calibrate) or --ranges", "tensors.x.min must be a number",
            "no calibrated range for tensor", "unknown target 'tflite'", "no node named 'nosuch'",
            "--fp16-keep applies to --fp16", "--max-agreement-drop measures agreement on --data",
            "--max-agreement-drop must be"};
        CliRun.assertRefused(cases, expected, out);
    }

    @Test
    void helpNamesTheTargets() {
        CliRun r = lathe("quantize", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("ort-cpu") && r.out().contains("tensorrt") && r.out().contains("--fp16"), r.out());
    }
}

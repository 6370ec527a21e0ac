package dev.lathe.graph.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.pass.Passes;
import dev.lathe.graph.serde.proto.OnnxProto;
import dev.lathe.graph.testkit.OrtParity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ONNX project's backend test data (Debian's {@code libonnx-testdata}: node, pytorch-converted, pytorch-operator
 * and simple cases, each a model with input and expected output tensors), run through the IR:
 * <ul>
 *   <li>load -> save keeps what ONNX's checker looks at: every graph input and output keeps its type (tensor,
 *       sequence, optional, map), node outputs keep their names (an unnamed optional output stays unnamed), and an
 *       IR < 4 model lists its initializers as inputs;</li>
 *   <li>ONNX Runtime gives bit-identical outputs for the file and its round trip (where ORT runs the case);</li>
 *   <li>shape inference never disagrees with an expected output (ops without a rule are listed, not failed);</li>
 *   <li>the inference cleanup passes leave ORT's outputs equal (1e-5 of each output's scale).</li>
 * </ul>
 * Skipped, with the reason printed, where the package is not installed ({@code .ci/run} installs it).
 */
class OnnxBackendConformanceTest {
    private static final Path ROOT = Path.of("/usr/share/libonnx-testdata/data");

    @Test
    void everyBackendCaseRoundTripsRunsAndInfersConsistently() throws Exception {
        assumeTrue(Files.isDirectory(ROOT), "libonnx-testdata is not installed (apt-get install libonnx-testdata): "
                + "the ONNX backend conformance test is skipped");
        List<Path> cases;
        try (Stream<Path> s = Files.walk(ROOT)) {
            cases = s.filter(p -> p.getFileName().toString().equals("model.onnx")).map(Path::getParent).sorted()
                    .toList();
        }
        List<String> failures = new ArrayList<>();
        Map<String, Integer> tally = new TreeMap<>();
        TreeSet<String> noRule = new TreeSet<>();
        for (Path dir : cases) {
            String name = ROOT.relativize(dir).toString();
            try {
                check(dir, tally, noRule);
            } catch (AssertionError | RuntimeException e) {
                failures.add(name + ": " + e.getMessage());
            }
        }
        System.out.println("ONNX backend test data: " + cases.size() + " cases; " + tally);
        System.out.println("ops without a shape rule (" + noRule.size() + "): " + noRule);
        assertEquals(List.of(), failures, failures.size() + " of " + cases.size() + " cases failed");
    }

    private static void check(Path dir, Map<String, Integer> tally, TreeSet<String> noRule) throws Exception {
        byte[] original = Files.readAllBytes(dir.resolve("model.onnx"));
        Model m = Onnx.fromBytes(original, dir.resolve("model.onnx").toString());
        byte[] saved = Onnx.toBytes(m);
        Onnx.fromBytes(saved, "round trip");
        checkerView(OnnxProto.ModelProto.parseFrom(original), OnnxProto.ModelProto.parseFrom(saved));
        count(tally, "round trip");

        Map<String, Tensor> inputs = inputs(dir, m);
        if (inputs == null) {
            count(tally, "non-tensor test data (ORT not run)");
            return;
        }
        Map<String, Tensor> expected;
        try {
            expected = OrtParity.run(original, inputs, OrtParity.Settings.EXACT);
        } catch (Exception e) {
            count(tally, "ORT cannot run the original");
            return;
        }
        Map<String, Tensor> again = OrtParity.run(saved, inputs, OrtParity.Settings.EXACT);
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor a = again.get(e.getKey());
            if (a == null || !Arrays.equals(bytes(e.getValue()), bytes(a))) {
                throw new AssertionError("output " + e.getKey() + " differs after the round trip");
            }
        }
        count(tally, "ORT bit-identical");

        // node by node: an op without a rule leaves its outputs untyped (listed), a rule that refuses a node whose
        // inputs are all typed is a failure
        Model typed = m.copy();
        for (Node n : typed.graph().nodes()) {
            if (!ShapeInference.hasRule(n.domain(), n.opType())) {
                noRule.add(n.opType());
                continue;
            }
            if (n.inputs().stream().allMatch(v -> v == null || v.type() != null)) {
                ShapeInference.inferNode(n, typed.opset());
            }
        }
        for (Value out : typed.graph().outputs()) {
            Tensor want = expected.get(out.name());
            TensorType got = out.type();
            if (want == null || got == null || got.shape() == null || !got.shape().isStatic()) {
                continue;
            }
            if (got.dtype() != want.dtype() || !got.shape().equals(Shape.of(want.dims()))) {
                throw new AssertionError("shape inference gives " + got + " for output " + out.name()
                        + ", ORT computes " + want.dtype() + Arrays.toString(want.dims()));
            }
        }

        Model cleaned = m.copy();
        Passes.inferenceCleanup().apply(cleaned);
        Map<String, Tensor> after = OrtParity.run(cleaned, inputs, OrtParity.Settings.EXACT);
        OrtParity.assertClose(expected, after, 1e-5, 1e-5 * scale(expected));
        initializersListedBelowIr4(OnnxProto.ModelProto.parseFrom(Onnx.toBytes(cleaned)));
        count(tally, "passes equal");
    }

    /** What ONNX's checker reads: input/output types, node output names, IR < 4 initializers listed as inputs. */
    private static void checkerView(OnnxProto.ModelProto before, OnnxProto.ModelProto after) {
        OnnxProto.GraphProto a = before.getGraph();
        OnnxProto.GraphProto b = after.getGraph();
        assertEquals(types(a.getInputList()), types(b.getInputList()), "graph input types");
        assertEquals(types(a.getOutputList()), types(b.getOutputList()), "graph output types");
        assertEquals(a.getNodeCount(), b.getNodeCount(), "node count");
        for (int i = 0; i < a.getNodeCount(); i++) {
            assertEquals(a.getNode(i).getOutputList(), b.getNode(i).getOutputList(),
                    "outputs of node " + i + " (" + a.getNode(i).getOpType() + ")");
        }
        initializersListedBelowIr4(after);
    }

    /** ONNX's checker: before IR 4 every initializer is also a graph input (passes add initializers too). */
    private static void initializersListedBelowIr4(OnnxProto.ModelProto m) {
        if (m.getIrVersion() >= 4) {
            return;
        }
        TreeSet<String> listed = new TreeSet<>();
        m.getGraph().getInputList().forEach(v -> listed.add(v.getName()));
        for (OnnxProto.TensorProto t : m.getGraph().getInitializerList()) {
            assertEquals(true, listed.contains(t.getName()), "IR " + m.getIrVersion() + " initializer " + t.getName()
                    + " must be a graph input");
        }
    }

    private static Map<String, String> types(List<OnnxProto.ValueInfoProto> values) {
        Map<String, String> out = new LinkedHashMap<>();
        for (OnnxProto.ValueInfoProto v : values) {
            OnnxProto.TypeProto t = v.getType().toBuilder().clearDenotation().build();
            out.put(v.getName(), v.hasType() ? t.toString() : "(none)");
        }
        return out;
    }

    /** The test inputs for the graph's non-initializer inputs, or null when one is not a tensor. */
    private static Map<String, Tensor> inputs(Path dir, Model m) throws IOException {
        Path data = dir.resolve("test_data_set_0");
        Map<String, Tensor> in = new LinkedHashMap<>();
        int i = 0;
        for (Value v : m.graph().inputs()) {
            if (v.isInitializer()) {
                continue;
            }
            Path f = data.resolve("input_" + i++ + ".pb");
            if (v.opaqueType() != null || !Files.exists(f)) {
                return null;
            }
            in.put(v.name(), Onnx.readTensor(f));
        }
        return in;
    }

    private static double scale(Map<String, Tensor> outputs) {
        double s = 1;
        for (Tensor t : outputs.values()) {
            if (t.dtype().isFloatingPoint()) {
                for (double d : t.toDoubles()) {
                    if (Double.isFinite(d)) {
                        s = Math.max(s, Math.abs(d));
                    }
                }
            }
        }
        return s;
    }

    private static byte[] bytes(Tensor t) {
        byte[] b = new byte[(int) t.byteSize()];
        t.data().get(0, b);
        return b;
    }

    private static void count(Map<String, Integer> tally, String what) {
        tally.merge(what, 1, Integer::sum);
    }
}

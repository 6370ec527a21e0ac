package dev.lathe.calibration.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.calibration.method.CalibrationMethod;
import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.calibration.stats.Calibration;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.SessionConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Q/DQ placement for both targets on a small residual CNN (Conv+BN, ReLU, MaxPool, residual Add, ReLU6 as Clip,
 * GlobalAveragePool, Flatten, Gemm): the structure each target asks for, and, run in ORT, equality with a
 * "fake-quantized" FP32 model where each Q/DQ pair is replaced by its arithmetic.
 */
class QdqPlanTest {
    static final long[] IMAGE = {2, 3, 12, 12};

    /** A residual CNN with the ops the two layouts treat differently. */
    static Model smallCnn() {
        GraphBuilder b = new GraphBuilder("cnn", 17);
        Ops o = b.ops();
        Random r = new Random(5);
        Value x = b.input("x", DataType.FLOAT, "N", 3, 12, 12);
        Value c1 = o.conv(x, b.param("conv1.weight", gaussian(r, 0.4, 8, 3, 3, 3)), null, ConvAttrs.same(3));
        Value bn = o.batchNorm(c1, b.param("bn.scale", uniform(r, 0.5, 1.5, 8)), b.param("bn.bias", gaussian(r, 0.2,
                8)), b.param("bn.mean", gaussian(r, 0.1, 8)), b.param("bn.var", uniform(r, 0.5, 2, 8)), 1e-5f);
        Value a1 = o.relu(bn);
        Value p = o.maxPool(a1, ConvAttrs.of(2, 2, 0));
        Value c2 = o.conv(p, b.param("conv2.weight", gaussian(r, 0.3, 8, 8, 3, 3)), b.param("conv2.bias",
                gaussian(r, 0.1, 8)), ConvAttrs.same(3));
        Value a2 = o.relu(c2);
        Value c3 = o.conv(a2, b.param("conv3.weight", gaussian(r, 0.3, 8, 8, 3, 3)), b.param("conv3.bias",
                gaussian(r, 0.1, 8)), ConvAttrs.same(3));
        Value sum = o.relu(o.add(c3, p));
        Value c4 = o.clip(o.conv(sum, b.param("conv4.weight", gaussian(r, 0.3, 16, 8, 1, 1)), null,
                ConvAttrs.same(1)), 0f, 6f);
        Value gap = o.flatten(o.globalAveragePool(c4), 1);
        b.output(o.gemm(gap, b.param("fc.weight", gaussian(r, 0.3, 5, 16)), b.param("fc.bias", gaussian(r, 0.1, 5)),
                true), "logits");
        return b.build();
    }

    static Tensor gaussian(Random r, double sd, long... dims) {
        float[] v = new float[(int) Tensor.numel(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * sd);
        }
        return Tensor.ofFloats(dims, v);
    }

    static Tensor uniform(Random r, double lo, double hi, long... dims) {
        float[] v = new float[(int) Tensor.numel(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + r.nextDouble() * (hi - lo));
        }
        return Tensor.ofFloats(dims, v);
    }

    /** Four batches of Gaussian images. */
    static CalibrationData images(long seed, int batches) {
        return new CalibrationData() {
            @Override
            public long forEachLabelled(BiConsumer<HostTensor, long[]> sink) {
                for (int i = 0; i < batches; i++) {
                    sink.accept(HostTensor.ofFloats(IMAGE, OrtParity.gaussian(seed + i, IMAGE)), null);
                }
                return (long) batches * IMAGE[0];
            }

            @Override
            public String describe() {
                return "gaussian images";
            }
        };
    }

    /** The plan's ranges from a min/max calibration over {@link #images}. */
    static Map<String, CalibrationRange> minmax(Model prepared, QdqPlan plan) throws Exception {
        Calibration.Result r = Calibration.collect(Runtimes.get("ort-cpu"), SessionConfig.defaults().withThreads(1,
                1), prepared, plan.rangeTensors(), images(1, 4));
        Map<String, CalibrationRange> out = new LinkedHashMap<>();
        r.stats().forEach((t, s) -> out.put(t, CalibrationMethod.MINMAX.range(s, 100, false)));
        return out;
    }

    static List<Node> nodes(Model m, String op) {
        return m.graph().nodes().stream().filter(n -> n.opType().equals(op)).toList();
    }

    static boolean fromDq(Value v) {
        return v.producer() != null && v.producer().opType().equals("DequantizeLinear");
    }

    @Test
    void ortCpuLayoutQuantizesEveryActivationOfQuantizedOpsAndFoldsActivations() throws Exception {
        Model prepared = QdqPlan.prepare(smallCnn());
        assertTrue(nodes(prepared, "BatchNormalization").isEmpty(), "prepare folds BN into the conv");
        QdqPlan plan = QdqPlan.of(prepared, QuantOptions.of(QuantTarget.ORT_CPU));
        Model q = plan.apply(minmax(prepared, plan));

        assertTrue(nodes(q, "Relu").isEmpty() && nodes(q, "Clip").isEmpty(), "ReLU and ReLU6 fold into the Q");
        for (String op : List.of("Conv", "Gemm")) {
            for (Node n : nodes(q, op)) {
                assertTrue(fromDq(n.input(0)) && fromDq(n.input(1)) && fromDq(n.input(2 % n.inputs().size())),
                        n + " reads DQ'd input, weight and bias");
            }
        }
        for (Node n : nodes(q, "Conv")) {
            List<Node> consumers = n.output(0).consumers();
            assertEquals(1, consumers.size(), n + " feeds only its Q");
            assertEquals("QuantizeLinear", consumers.get(0).opType());
            assertEquals(DataType.UINT8, consumers.get(0).output(0).dtype());
        }
        Node conv2 = nodes(q, "Conv").get(1);
        Node bias = conv2.input(2).producer();
        assertEquals(DataType.INT32, bias.input(0).dtype(), "Conv bias is int32");
        assertEquals(DataType.INT8, conv2.input(1).producer().input(0).dtype(), "weights are int8");
        assertEquals(8, conv2.input(1).producer().input(1).constValue().numel(), "one weight scale per channel");
        Node pool = nodes(q, "MaxPool").get(0);
        Node in = pool.input(0).producer();
        Node out = pool.output(0).consumers().get(0);
        assertEquals("QuantizeLinear", out.opType());
        assertTrue(in.input(1).constValue().contentEquals(out.input(1).constValue())
                && in.input(2).constValue().contentEquals(out.input(2).constValue()),
                "MaxPool keeps its input's scale and zero point, so ORT runs it on the codes");
        Node add = nodes(q, "Add").get(0);
        assertTrue(fromDq(add.input(0)) && fromDq(add.input(1)), "both Add inputs are quantized");
        assertTrue(fromDq(nodes(q, "GlobalAveragePool").get(0).input(0)));
        assertFalse(fromDq(q.graph().outputs().get(0)), "the logits stay float");
        assertTrue(nodes(q, "Gemm").get(0).output(0) == q.graph().outputs().get(0));
    }

    @Test
    void tensorRtLayoutQuantizesOnlyLayerInputsSymmetricallyWithOneScaleAcrossMaxPool() throws Exception {
        Model prepared = QdqPlan.prepare(smallCnn());
        QdqPlan plan = QdqPlan.of(prepared, QuantOptions.of(QuantTarget.TENSORRT));
        Model q = plan.apply(minmax(prepared, plan));

        assertEquals(3, nodes(q, "Relu").size(), "TensorRT fuses activations itself");
        for (Node n : nodes(q, "QuantizeLinear")) {
            assertEquals(DataType.INT8, n.output(0).dtype());
            assertEquals(0, n.input(2).constValue().toLongs()[0], "symmetric: zero point 0");
        }
        for (Node n : nodes(q, "Conv")) {
            assertTrue(fromDq(n.input(0)) && fromDq(n.input(1)), n + " reads DQ'd input and weight");
            assertFalse(n.inputs().size() > 2 && fromDq(n.input(2)), "bias stays float");
            for (Node c : n.output(0).consumers()) {
                if (c.opType().equals("QuantizeLinear")) {
                    assertEquals(List.of("Add"), c.output(0).consumers().get(0).output(0).consumers().stream()
                            .map(Node::opType).toList(), "a conv output gets a Q only as a residual Add's input");
                }
            }
        }
        Node add = nodes(q, "Add").get(0);
        assertTrue(fromDq(add.input(0)) && fromDq(add.input(1)), "a residual Add has both inputs quantized");
        Node pool = nodes(q, "MaxPool").get(0);
        assertTrue(fromDq(pool.input(0)), "MaxPool's input carries the scale of its quantized output");
        Node before = pool.input(0).producer();
        Node after = pool.output(0).consumers().stream().filter(c -> c.opType().equals("QuantizeLinear"))
                .findFirst().orElseThrow();
        assertTrue(before.input(1).constValue().contentEquals(after.input(1).constValue()));
        assertTrue(nodes(q, "Gemm").get(0).input(0).producer().opType().equals("DequantizeLinear"));
        assertFalse(fromDq(nodes(q, "GlobalAveragePool").get(0).input(0)), "float-only consumers read float");
    }

    @Test
    void quantizedModelsEqualTheirFakeQuantizedArithmeticInOrt() throws Exception {
        for (QuantTarget target : QuantTarget.values()) {
            Model prepared = QdqPlan.prepare(smallCnn());
            QdqPlan plan = QdqPlan.of(prepared, QuantOptions.of(target));
            Model q = plan.apply(minmax(prepared, plan));
            Model fake = FakeQuant.of(q);
            Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(IMAGE, OrtParity.gaussian(99, IMAGE)));
            float[] ref = OrtParity.runFloats(fake, in, OrtParity.Settings.AS_WRITTEN).get("logits");
            float[] asWritten = OrtParity.runFloats(q, in, OrtParity.Settings.AS_WRITTEN).get("logits");
            float[] fused = OrtParity.runFloats(q, in, OrtParity.Settings.ORT_DEFAULTS).get("logits");
            float[] fp32 = OrtParity.runFloats(prepared, in, OrtParity.Settings.AS_WRITTEN).get("logits");
            double step = FakeQuant.lastStep(q);
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], asWritten[i], 1e-4 * Math.max(1, Math.abs(ref[i])),
                        target.label() + ": Q/DQ as written equals the arithmetic at " + i);
                assertEquals(ref[i], fused[i], step, target.label() + ": ORT's integer kernels are within one step ("
                        + step + ") of the arithmetic at " + i);
            }
            double err = OrtParity.relError(fp32, fused);
            assertTrue(err < 0.1, target.label() + ": INT8 logits stay near FP32 (rel error " + err + ")");
        }
    }

    @Test
    void exclusionsKeepLayersFloatAndNameWhatIsUnknown() throws Exception {
        Model prepared = QdqPlan.prepare(smallCnn());
        QdqPlan plan = QdqPlan.of(prepared, QuantOptions.of(QuantTarget.ORT_CPU).excluding(List.of("first",
                "op:Gemm")));
        List<String> convs = nodes(prepared, "Conv").stream().map(Node::name).toList();
        assertEquals(List.of(convs.get(0), nodes(prepared, "Gemm").get(0).name()), plan.excluded());
        Model q = plan.apply(minmax(prepared, plan));
        Node first = q.graph().nodeByName(convs.get(0));
        assertFalse(fromDq(first.input(1)), "the excluded conv keeps float weights");
        assertFalse(fromDq(nodes(q, "Gemm").get(0).input(1)));
        assertTrue(fromDq(q.graph().nodeByName(convs.get(1)).input(1)));
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(IMAGE, OrtParity.gaussian(7, IMAGE)));
        float[] fake = OrtParity.runFloats(FakeQuant.of(q), in, OrtParity.Settings.AS_WRITTEN).get("logits");
        float[] got = OrtParity.runFloats(q, in, OrtParity.Settings.AS_WRITTEN).get("logits");
        for (int i = 0; i < fake.length; i++) {
            assertEquals(fake[i], got[i], 1e-4 * Math.max(1, Math.abs(fake[i])));
        }

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QdqPlan.of(prepared,
                QuantOptions.of(QuantTarget.ORT_CPU).excluding(List.of("conv9"))));
        assertTrue(e.getMessage().contains("'conv9'"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> plan.apply(Map.of()));
        assertTrue(missing.getMessage().contains("no calibrated range for tensor '" + plan.rangeTensors().get(0) + "'"),
                missing.getMessage());
        assertFalse(plan.rangeTensors().contains("x"), "the excluded first conv reads the float image");
    }

    @Test
    void aLinearExportedAsMatMulOfATransposedWeightQuantizesItsWeightPerChannel() throws Exception {
        GraphBuilder b = new GraphBuilder("linear", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 6);
        Tensor w = gaussian(new Random(8), 0.5, 4, 6);
        b.output(b.ops().matMul(x, b.ops().transpose(b.param("fc.weight", w), 1, 0)), "y");
        Model prepared = QdqPlan.prepare(b.build());
        Node mm = nodes(prepared, "MatMul").get(0);
        assertTrue(mm.input(1).isInitializer(), "the Transpose of the weight is folded");
        float[] folded = mm.input(1).constValue().toFloats();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(w.toFloats()[i * 6 + j], folded[j * 4 + i]);
            }
        }
        QdqPlan plan = QdqPlan.of(prepared, QuantOptions.of(QuantTarget.ORT_CPU));
        Map<String, CalibrationRange> ranges = Map.of("x", new CalibrationRange(-2, 2, false));
        Model q = plan.apply(ranges);
        Node dq = nodes(q, "MatMul").get(0).input(1).producer();
        assertEquals("DequantizeLinear", dq.opType());
        assertEquals(4, dq.input(1).constValue().numel(), "one scale per output column");
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new long[] {3, 6}, OrtParity.gaussian(2, 3, 6)));
        float[] ref = OrtParity.runFloats(FakeQuant.of(q), in, OrtParity.Settings.AS_WRITTEN).get("y");
        float[] got = OrtParity.runFloats(q, in, OrtParity.Settings.AS_WRITTEN).get("y");
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], got[i], 1e-5);
        }
    }

    @Test
    void perTensorWeightsHaveOneScale() throws Exception {
        Model prepared = QdqPlan.prepare(smallCnn());
        QdqPlan plan = QdqPlan.of(prepared, QuantOptions.of(QuantTarget.ORT_CPU).perTensor());
        Model q = plan.apply(minmax(prepared, plan));
        for (Node n : nodes(q, "Conv")) {
            Node dq = n.input(1).producer();
            assertEquals(1, dq.input(1).constValue().numel());
            assertEquals(null, dq.attr("axis"));
        }
        List<Value> inputs = new ArrayList<>(q.graph().inputs());
        assertEquals("x", inputs.get(0).name());
    }
}

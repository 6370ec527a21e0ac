package dev.lathe.calibration.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.SessionConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sensitivity, agreement and fallback on the small CNN of {@link QdqPlanTest}; FP16 conversion. */
class QuantizerTest {
    private static final SessionConfig ONE_THREAD = SessionConfig.defaults().withThreads(1, 1);

    @Test
    void firstLayerSqnrEqualsTheQuantizedModelsOwnFirstLayer() throws Exception {
        Model prepared = QdqPlan.prepare(QdqPlanTest.smallCnn());
        QdqPlan plan = QdqPlan.of(prepared, QuantOptions.of(QuantTarget.ORT_CPU));
        Map<String, CalibrationRange> ranges = QdqPlanTest.minmax(prepared, plan);
        List<Sensitivity.LayerSqnr> sqnr = Sensitivity.measure(Runtimes.get("ort-cpu"), ONE_THREAD, prepared, plan,
                ranges, QdqPlanTest.images(50, 1));
        assertEquals(plan.units().size(), sqnr.size());
        assertEquals(6, sqnr.size(), "four convs, the residual Add and the classifier");
        for (Sensitivity.LayerSqnr l : sqnr) {
            assertTrue(l.sqnrDb() > 10 && l.sqnrDb() < 80, l.toString());
        }
        // In the quantized model the first conv reads the image itself, so its DQ'd output is what the shadow saw.
        Model q = plan.apply(ranges);
        Model fp32 = prepared.copy();
        QdqPlan.Unit first = plan.units().get(0);
        Value dq = q.graph().valuesByName().get(first.output()).consumers().get(0).output(0).consumers().get(0)
                .output(0);
        q.graph().addOutput(dq);
        fp32.graph().addOutput(fp32.graph().valuesByName().get(first.output()));
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(QdqPlanTest.IMAGE, OrtParity.gaussian(50,
                QdqPlanTest.IMAGE)));
        float[] quant = OrtParity.runFloats(q, in, OrtParity.Settings.AS_WRITTEN).get(dq.name());
        float[] ref = OrtParity.runFloats(fp32, in, OrtParity.Settings.AS_WRITTEN).get(first.output());
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < ref.length; i++) {
            signal += (double) ref[i] * ref[i];
            noise += (double) (ref[i] - quant[i]) * (ref[i] - quant[i]);
        }
        assertEquals(10 * Math.log10(signal / noise), sqnr.get(0).sqnrDb(), 1e-3);
    }

    @Test
    void fallbackKeepsWorstLayersFloatUntilTheBudgetOrLayersRunOut() throws Exception {
        Model prepared = QdqPlan.prepare(QdqPlanTest.smallCnn());
        QdqPlan full = QdqPlan.of(prepared, QuantOptions.of(QuantTarget.ORT_CPU));
        Map<String, CalibrationRange> ranges = new HashMap<>(QdqPlanTest.minmax(prepared, full));
        // every tensor any fallback plan may need
        QdqPlan none = QdqPlan.of(prepared, QuantOptions.of(QuantTarget.ORT_CPU).excluding(full.units().stream()
                .map(QdqPlan.Unit::node).toList()));
        ranges.putAll(QdqPlanTest.minmax(prepared, none));
        Quantizer.Result r = Quantizer.quantize(Runtimes.get("ort-cpu"), ONE_THREAD, prepared, ranges,
                new Quantizer.Request(QuantOptions.of(QuantTarget.ORT_CPU), 0.0, false), QdqPlanTest.images(60, 8), null);
        assertEquals(16, r.agreement().samples());
        assertEquals(full.units().size(), r.sqnr().size(), "the fallback measures every layer");
        double previous = Double.NEGATIVE_INFINITY;
        for (Quantizer.Fallback f : r.fallbacks()) {
            assertTrue(f.sqnrDb() >= previous, "worst layers go first");
            previous = f.sqnrDb();
            assertFalse(r.plan().quantizedNodes().contains(f.node()), f.node() + " stays float");
            assertTrue(f.agreementBefore() < 100);
        }
        assertEquals(r.budgetMet(), r.agreement().percent() == 100.0);
        if (!r.fallbacks().isEmpty()) {
            assertEquals(r.agreement().percent(), r.fallbacks().get(r.fallbacks().size() - 1).agreementAfter());
        }
        assertTrue(r.budgetMet() || r.fallbacks().size() == full.units().size());
    }

    @Test
    void fp16KeepsFloatEdgesAndTracksFp32() throws Exception {
        Model prepared = QdqPlan.prepare(QdqPlanTest.smallCnn());
        Model half = Fp16Conversion.convert(prepared, Fp16Conversion.KEEP_FLOAT, true);
        assertEquals(DataType.FLOAT, half.graph().inputs().get(0).dtype());
        assertEquals(DataType.FLOAT, half.graph().outputs().get(0).dtype());
        assertEquals("logits", half.graph().outputs().get(0).name());
        for (Node n : half.graph().nodes()) {
            if (n.opType().equals("Conv") || n.opType().equals("Gemm")) {
                assertEquals(DataType.FLOAT16, n.output(0).dtype(), n.toString());
                assertEquals(DataType.FLOAT16, n.input(1).dtype(), n.toString());
            }
        }
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(QdqPlanTest.IMAGE, OrtParity.gaussian(3,
                QdqPlanTest.IMAGE)));
        float[] ref = OrtParity.runFloats(prepared, in, OrtParity.Settings.ORT_DEFAULTS).get("logits");
        float[] got = OrtParity.runFloats(half, in, OrtParity.Settings.ORT_DEFAULTS).get("logits");
        assertTrue(OrtParity.relError(ref, got) < 5e-3, "rel error " + OrtParity.relError(ref, got));

        Model kept = Fp16Conversion.convert(prepared, java.util.Set.of("Gemm"), true);
        Node gemm = kept.graph().nodes().stream().filter(n -> n.opType().equals("Gemm")).findFirst().orElseThrow();
        assertEquals(DataType.FLOAT, gemm.output(0).dtype(), "a kept op stays float32");
        assertEquals("Cast", gemm.input(0).producer().opType(), "with a Cast from the float16 region");
        float[] keptOut = OrtParity.runFloats(kept, in, OrtParity.Settings.ORT_DEFAULTS).get("logits");
        assertTrue(OrtParity.relError(ref, keptOut) < 5e-3);
    }
}

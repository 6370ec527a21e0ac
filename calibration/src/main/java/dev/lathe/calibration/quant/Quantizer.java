package dev.lathe.calibration.quant;

import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.calibration.method.CalibrationMethod;
import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.calibration.stats.TensorStats;
import dev.lathe.graph.ir.Model;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.SessionConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Post-training quantization as one library call: plan and apply Q/DQ on a prepared model from calibrated ranges,
 * measure per-layer SQNR and top-1 agreement with the FP32 model on evaluation data, and, given an agreement
 * budget, keep the least accurate layers in float until the budget is met.
 */
public final class Quantizer {
    private Quantizer() {}

    /**
     * @param maxAgreementDrop the most top-1 agreement (percentage points below 100) to give up; NaN: no fallback
     * @param sensitivity whether to measure per-layer SQNR (always done when falling back)
     */
    public record Request(QuantOptions options, double maxAgreementDrop, boolean sensitivity) {}

    /** A layer kept in float by the fallback, with its SQNR and the agreement before and after. */
    public record Fallback(String node, double sqnrDb, double agreementBefore, double agreementAfter) {}

    /**
     * @param agreement null when no evaluation data was given
     * @param budgetMet false when layers ran out before the agreement budget was met (or no budget was set: true)
     */
    public record Result(Model model, QdqPlan plan, List<Sensitivity.LayerSqnr> sqnr, Agreement agreement,
            List<Fallback> fallbacks, boolean budgetMet) {}

    /**
     * Ranges from statistics by one method; a symmetric range of a never-negative tensor becomes [0, t] (see
     * {@link CalibrationRange#nonNegative}).
     */
    public static Map<String, CalibrationRange> ranges(Map<String, TensorStats> stats, CalibrationMethod method,
            double percentile, boolean symmetric) {
        Map<String, CalibrationRange> out = new LinkedHashMap<>();
        stats.forEach((name, s) -> {
            try {
                out.put(name, method.range(s, percentile, symmetric).nonNegative(s.min()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tensor " + name + ": " + e.getMessage(), e);
            }
        });
        return out;
    }

    /**
     * Quantizes {@code prepared} (see {@link QdqPlan#prepare}). Agreement is measured on {@code eval}, per-layer
     * SQNR on {@code probe} (a few small batches: every layer's output is read twice per batch). Both may be null:
     * then nothing is measured and no fallback runs.
     */
    public static Result quantize(InferenceRuntime runtime, SessionConfig config, Model prepared,
            Map<String, CalibrationRange> ranges, Request request, CalibrationData eval, CalibrationData probe)
            throws IOException {
        QuantOptions options = request.options();
        QdqPlan plan = QdqPlan.of(prepared, options);
        Model model = plan.apply(ranges);
        boolean fallback = !Double.isNaN(request.maxAgreementDrop());
        if (eval == null) {
            if (fallback) {
                throw new IllegalArgumentException("an agreement budget needs evaluation data");
            }
            return new Result(model, plan, List.of(), null, List.of(), true);
        }
        List<Sensitivity.LayerSqnr> sqnr = request.sensitivity() || fallback
                ? Sensitivity.measure(runtime, config, prepared, plan, ranges, probe == null ? eval : probe)
                : List.of();
        Agreement.Reference fp32 = Agreement.reference(runtime, config, prepared, eval); // once, for every fallback
        Agreement agreement = Agreement.measure(runtime, config, fp32, model, eval);
        List<Fallback> fallbacks = new ArrayList<>();
        if (fallback) {
            List<Sensitivity.LayerSqnr> worstFirst = new ArrayList<>(sqnr);
            worstFirst.sort(Comparator.comparingDouble(Sensitivity.LayerSqnr::sqnrDb));
            for (Sensitivity.LayerSqnr layer : worstFirst) {
                if (100 - agreement.percent() <= request.maxAgreementDrop()) {
                    break;
                }
                options = options.excluding(List.of(layer.node()));
                plan = QdqPlan.of(prepared, options);
                model = plan.apply(ranges);
                Agreement next = Agreement.measure(runtime, config, fp32, model, eval);
                fallbacks.add(new Fallback(layer.node(), layer.sqnrDb(), agreement.percent(), next.percent()));
                agreement = next;
            }
        }
        boolean met = !fallback || 100 - agreement.percent() <= request.maxAgreementDrop();
        return new Result(model, plan, sqnr, agreement, fallbacks, met);
    }
}

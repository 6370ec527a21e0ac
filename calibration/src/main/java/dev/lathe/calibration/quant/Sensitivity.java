package dev.lathe.calibration.quant;

import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-layer sensitivity: for every quantized layer ({@link QdqPlan.Unit}), the signal-to-quantization-noise ratio
 * of its output when only it is quantized (its input, weights, bias and, for ort-cpu, its output Q/DQ, fed with the
 * FP32 model's own activations, so errors do not compound). All layers are measured in one run: each gets a
 * quantized "shadow" copy beside it in the FP32 graph, and both outputs are read.
 */
public final class Sensitivity {
    private Sensitivity() {}

    /** One layer's SQNR in dB (+Infinity when quantization changed nothing). */
    public record LayerSqnr(String node, String opType, double sqnrDb) {}

    public static List<LayerSqnr> measure(InferenceRuntime runtime, SessionConfig config, Model prepared,
            QdqPlan plan, Map<String, CalibrationRange> ranges, CalibrationData data) throws IOException {
        Model m = prepared.copy();
        Graph g = m.graph();
        Map<String, QuantParams> params = plan.params(ranges);
        QdqPlan.Emitter emit = new QdqPlan.Emitter(m);
        Map<String, String[]> pairs = new LinkedHashMap<>(); // node -> {reference output, shadow output}
        for (QdqPlan.Unit u : plan.units()) {
            Node n = g.nodeByName(u.node());
            List<Value> inputs = new ArrayList<>(n.inputs());
            for (int i : QdqPlan.activationInputs(n)) {
                QuantParams p = params.get(inputs.get(i).name());
                if (p != null) {
                    inputs.set(i, emit.qdq(inputs.get(i), p));
                }
            }
            String in = n.input(0).name();
            if (n.inputs().size() > 1 && n.input(1).isInitializer()) {
                QuantParams wp = QuantParams.weights(n.input(1).constValue(), plan.options().perChannel()
                        ? QdqPlan.weightAxis(n) : -1);
                inputs.set(1, emit.weight(n.input(1), wp));
                if (QdqPlan.intBias(plan.options(), n, wp) && params.containsKey(in)) {
                    inputs.set(2, emit.weight(n.input(2), QuantParams.bias(params.get(in), wp)));
                }
            }
            Value shadow = GraphBuilder.editing(m).namePrefix(u.node() + "/shadow").after(n).op(n.domain(),
                    n.opType(), inputs, n.attributes(), 1).get(0);
            Value reference = n.output(0);
            if (u.foldedActivation() != null) {
                Node a = g.nodeByName(u.foldedActivation());
                List<Value> actInputs = new ArrayList<>(a.inputs());
                actInputs.set(0, shadow);
                shadow = GraphBuilder.editing(m).namePrefix(u.node() + "/shadow").after(a).op(a.domain(),
                        a.opType(), actInputs, a.attributes(), 1).get(0);
                reference = a.output(0);
            }
            if (plan.quantizes(u.output())) {
                shadow = emit.qdq(shadow, params.get(u.output()));
            }
            if (!g.outputs().contains(reference)) {
                g.addOutput(reference);
            }
            g.addOutput(shadow);
            pairs.put(u.node(), new String[] {reference.name(), shadow.name()});
        }
        double[] signal = new double[pairs.size()];
        double[] noise = new double[pairs.size()];
        List<String> fetch = new ArrayList<>();
        pairs.values().forEach(p -> {
            fetch.add(p[0]);
            fetch.add(p[1]);
        });
        try (Session s = runtime.open(ModelSource.of(m), config)) {
            String input = s.inputs().get(0).name();
            data.forEachBatch(batch -> {
                try (Outputs out = s.run(Map.of(input, batch), fetch.stream().distinct().toList())) {
                    int k = 0;
                    for (String[] p : pairs.values()) {
                        float[] ref = out.get(p[0]).toFloats();
                        float[] q = out.get(p[1]).toFloats();
                        for (int i = 0; i < ref.length; i++) {
                            double d = ref[i] - q[i];
                            signal[k] += (double) ref[i] * ref[i];
                            noise[k] += d * d;
                        }
                        k++;
                    }
                }
            });
        }
        List<LayerSqnr> out = new ArrayList<>();
        int k = 0;
        for (QdqPlan.Unit u : plan.units()) {
            double db = noise[k] == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal[k] / noise[k]);
            out.add(new LayerSqnr(u.node(), u.opType(), db));
            k++;
        }
        return out;
    }

    /** The median SQNR of {@code layers} (NaN when empty). */
    public static double median(List<LayerSqnr> layers) {
        double[] v = layers.stream().mapToDouble(LayerSqnr::sqnrDb).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

package dev.lathe.graph.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OrtException;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.testkit.OrtParity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Checks a backward rule against central finite differences computed by ONNX Runtime. The op under test is built
 * with graph inputs for every operand; the scalar loss is sum(out * R) for a fixed random R, so every output element
 * is weighted differently. Analytic gradients come from the autodiff graph run in ORT; numeric ones from running
 * the forward loss at x +- h for each checked element (all elements of small tensors, a random subset of large ones).
 */
final class GradCheck {

    private final DataType dtype;
    private final long seed;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, double[]> values = new LinkedHashMap<>();
    private final Map<String, long[]> intInputs = new LinkedHashMap<>();
    private final List<String> wrt = new ArrayList<>();
    private BiFunction<Ops, Map<String, Value>, Value> body;
    private double step = 1e-6;
    private double rtol = 1e-6;
    private int maxChecked = 48;
    private long opset = 17;

    GradCheck(DataType dtype, long seed) {
        this.dtype = dtype;
        this.seed = seed;
        if (dtype == DataType.FLOAT) {
            step = 1e-2;
            rtol = 2e-3;
        }
    }

    /** A differentiable input filled with N(0, 1) values. */
    GradCheck input(String name, long... dims) {
        Random r = new Random(seed * 31 + name.hashCode());
        double[] v = new double[(int) Tensor.numel(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return input(name, dims, v);
    }

    GradCheck input(String name, long[] dims, double[] v) {
        shapes.put(name, dims);
        values.put(name, v);
        wrt.add(name);
        return this;
    }

    /** A non-differentiable INT64 input (indices). */
    GradCheck intInput(String name, long[] dims, long... v) {
        intInputs.put(name, v);
        shapes.put(name, dims);
        return this;
    }

    GradCheck op(BiFunction<Ops, Map<String, Value>, Value> body) {
        this.body = body;
        return this;
    }

    GradCheck tolerance(double step, double rtol) {
        this.step = step;
        this.rtol = rtol;
        return this;
    }

    /** The ai.onnx opset of the checked graph (17 unless an op needs a newer one, e.g. Gelu 20). */
    GradCheck opset(long v) {
        this.opset = v;
        return this;
    }

    GradCheck maxChecked(int n) {
        this.maxChecked = n;
        return this;
    }

    /** Types of every forward node output, learnt by running the forward graph once in ORT. */
    private final Map<String, TensorType> forwardTypes = new HashMap<>();

    private Model build(long[] outShape, boolean withGrads, List<String> outNames) {
        Graph g = new Graph("gradcheck");
        Map<String, Value> ins = new LinkedHashMap<>();
        for (String name : shapes.keySet()) {
            DataType t = intInputs.containsKey(name) ? DataType.INT64 : dtype;
            ins.put(name, g.addInput(new Value(name, TensorType.of(t, shapes.get(name)))));
        }
        Ops e = GraphBuilder.editing(g, opset).inferTypes(false).ops();
        e.builder().namePrefix("fwd");
        Value out = body.apply(e, ins);
        if (outShape == null) {
            out.setName("out");
            g.addOutput(out);
            outNames.add("out");
            for (dev.lathe.graph.ir.Node n : g.nodes()) {
                for (Value v : n.outputs()) {
                    if (v != out) {
                        g.addOutput(v);
                        outNames.add(v.name());
                    }
                }
            }
            return model(g);
        }
        for (dev.lathe.graph.ir.Node n : g.nodes()) {
            for (Value v : n.outputs()) {
                TensorType t = forwardTypes.get(v.name());
                if (t != null) {
                    v.setType(t);
                }
            }
        }
        out.setType(TensorType.of(dtype, outShape));
        Random r = new Random(seed + 7);
        double[] weights = new double[(int) Tensor.numel(outShape)];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = r.nextGaussian();
        }
        Value weighted = e.mul(out, e.constant(Tensor.fromDoubles(dtype, outShape, weights)));
        weighted.setType(TensorType.of(dtype, outShape));
        Value loss = e.reduceSum(weighted, false);
        loss.setType(TensorType.of(dtype));
        loss.setName("loss");
        g.addOutput(loss);
        outNames.add("loss");
        if (withGrads) {
            List<Value> targets = new ArrayList<>();
            for (String w : wrt) {
                targets.add(ins.get(w));
            }
            Map<Value, Value> grads = Autodiff.gradients(g, opset, loss, targets);
            for (String w : wrt) {
                Value gv = grads.get(ins.get(w));
                if (gv.producer() == null || g.outputs().contains(gv)) {
                    gv = e.op("Identity", gv);
                }
                gv.setName("grad_" + w);
                g.addOutput(gv);
                outNames.add("grad_" + w);
            }
        }
        return model(g);
    }

    private Model model(Graph g) {
        Model m = new Model(g);
        m.opsetImports().put("", opset);
        return m;
    }

    private Map<String, Tensor> feeds(Map<String, double[]> vals) {
        Map<String, Tensor> m = new HashMap<>();
        for (String name : shapes.keySet()) {
            long[] dims = shapes.get(name);
            m.put(name, intInputs.containsKey(name) ? Tensor.ofLongs(dims, intInputs.get(name))
                    : Tensor.fromDoubles(dtype, dims, vals.get(name)));
        }
        return m;
    }

    /** Runs the check; returns the worst relative error seen (for reporting). */
    double run() throws Exception {
        List<String> names = new ArrayList<>();
        long[] outShape;
        List<Tensor> forward = new ArrayList<>(OrtParity.run(Onnx.toBytes(build(null, false, names)), feeds(values),
                OrtParity.Settings.ORT_DEFAULTS).values());
        outShape = forward.get(0).dims();
        for (int i = 1; i < names.size(); i++) {
            DataType t = forward.get(i).dtype();
            if (t == DataType.FLOAT || t == DataType.DOUBLE) {
                forwardTypes.put(names.get(i), TensorType.of(t, forward.get(i).dims()));
            }
        }
        List<String> gradNames = new ArrayList<>();
        Model gm = build(outShape, true, gradNames);
        Map<String, double[]> analytic = new HashMap<>();
        List<Tensor> grads = new ArrayList<>(OrtParity.run(Onnx.toBytes(gm), feeds(values),
                OrtParity.Settings.ORT_DEFAULTS).values());
        for (int i = 1; i < gradNames.size(); i++) {
            analytic.put(gradNames.get(i).substring(5), grads.get(i).toDoubles());
        }
        List<String> lossNames = new ArrayList<>();
        double worst = 0;
        try (OrtParity.Prepared s = OrtParity.prepare(Onnx.toBytes(build(outShape, false, lossNames)),
                OrtParity.Settings.ORT_DEFAULTS)) {
            Random pick = new Random(seed + 3);
            for (String w : wrt) {
                double[] a = analytic.get(w);
                double[] x = values.get(w);
                double scale = 1e-3;
                for (double v : a) {
                    scale = Math.max(scale, Math.abs(v));
                }
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < x.length; i++) {
                    idx.add(i);
                }
                java.util.Collections.shuffle(idx, pick);
                for (int i : idx.subList(0, Math.min(maxChecked, idx.size()))) {
                    double keep = x[i];
                    x[i] = keep + step;
                    double up = loss(s);
                    x[i] = keep - step;
                    double down = loss(s);
                    x[i] = keep;
                    double numeric = (up - down) / (2 * step);
                    double err = Math.abs(numeric - a[i]) / Math.max(Math.abs(numeric), 1e-2 * scale);
                    worst = Math.max(worst, err);
                    if (err > rtol) {
                        fail("d loss / d " + w + "[" + i + "]: autodiff " + a[i] + ", finite difference " + numeric
                                + " (relative error " + err + " > " + rtol + ")");
                    }
                }
            }
        }
        assertTrue(worst <= rtol);
        return worst;
    }

    private double loss(OrtParity.Prepared s) throws OrtException {
        return s.run(feeds(values)).values().iterator().next().toDoubles()[0];
    }

    static long[] dims(long... d) {
        return d;
    }

    static String str(long[] d) {
        return Arrays.toString(d);
    }
}

package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.validate.ModelValidator;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.importance.Importance;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.pruning.plan.Planner;
import dev.lathe.pruning.plan.PruningPlan;
import dev.lathe.pruning.surgery.Surgery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The proof that a cut is right: in one copy of the model the removed slices are zeroed (weights that read the
 * channels, and the weights and statistics that write them), in another they are cut; both must give the same
 * outputs in ONNX Runtime. The cut copy is planned, the zeroed copy gets the plan through its JSON form, so replay
 * is tested as well.
 */
public final class ExactCut {
    private ExactCut() {}

    /** Outcome of one check. */
    public record Outcome(PruningPlan plan, Model cut, Model zeroed, ChannelGraph graph, double relError,
            long paramsBefore, long paramsAfter, long macsBefore, long macsAfter, long estimatedMacs,
            long estimatedParams) {}

    /** Largest relative difference allowed between the cut and the zeroed model's outputs. */
    public static final double TOL = 1e-5;

    /**
     * Checks a cut of the model {@code build} makes with magnitude importance: exact within {@link #TOL}, fewer
     * parameters and MACs, and the planner's MACs estimate equal to the cut model's count.
     */
    static Outcome exact(Supplier<Model> build, PlanOptions o, Set<String> ignored) throws Exception {
        Outcome r = check(build.get(), build.get(), new MagnitudeImportance(1), o, ignored, "input",
                Graphs.SHAPE);
        assertTrue(r.relError() <= TOL, "cut and zeroed models differ: rel error " + r.relError());
        assertTrue(r.paramsAfter() < r.paramsBefore(), "params did not go down");
        assertEquals(r.estimatedMacs(), r.macsAfter(), "planner's MACs estimate vs the cut model");
        assertTrue(r.macsAfter() < r.macsBefore(), "MACs did not go down");
        return r;
    }

    /** The first node whose name starts with {@code prefix}. */
    static Node node(Model m, String prefix) {
        return m.graph().nodes().stream().filter(n -> n.name().startsWith(prefix)).findFirst().orElseThrow();
    }

    public static Outcome check(Model a, Model b, Importance imp, PlanOptions o, Set<String> ignored, String input,
            long[] shape) throws Exception {
        float[] x = OrtParity.gaussian(7, shape);
        ChannelGraph cgA = new ChannelAnalyzer(ignored).analyze(a);
        ChannelGraph cgB = new ChannelAnalyzer(ignored).analyze(b);
        Planner planner = new Planner(cgA, imp);
        Map<Integer, BitSet> removed = planner.select(o);
        PruningPlan plan = PruningPlan.of(cgA, removed, imp.name(), o.toString());
        assertTrue(plan.removedChannels() > 0, "plan removes nothing; blocked: " + Pruner.blockReport(cgA));
        ModelCount before = ModelCounter.count(a);
        long estMacs = planner.macs(removed);
        long estParams = planner.params(removed);
        Map<Integer, BitSet> replayed = PruningPlan.fromJson(plan.toJson()).resolve(cgB);
        Surgery.apply(cgA, removed, Surgery.Mode.CUT);
        Surgery.apply(cgB, replayed, Surgery.Mode.ZERO);
        checkTypes(a);
        ModelValidator.validate(a);
        ModelValidator.validate(b);
        Map<String, Tensor> in = Map.of(input, Tensor.ofFloats(shape, x));
        List<float[]> ya = List.copyOf(OrtParity.runFloats(a, in, OrtParity.Settings.EXACT).values());
        List<float[]> yb = List.copyOf(OrtParity.runFloats(b, in, OrtParity.Settings.EXACT).values());
        double err = 0;
        for (int i = 0; i < ya.size(); i++) {
            err = Math.max(err, OrtParity.relError(yb.get(i), ya.get(i)));
        }
        ModelCount after = ModelCounter.count(a);
        return new Outcome(plan, a, b, cgA, err, before.params(), after.params(), before.macs(), after.macs(),
                estMacs, estParams);
    }

    /** The types the surgery wrote must be what shape inference derives from the cut graph. */
    static void checkTypes(Model m) {
        Map<Value, TensorType> written = new HashMap<>();
        List<dev.lathe.graph.ir.Node> nodes = new ArrayList<>(m.graph().nodes());
        for (var n : nodes) {
            for (Value v : n.outputs()) {
                written.put(v, v.type());
            }
        }
        for (var n : nodes) {
            if (!ShapeInference.hasRule(n.domain(), n.opType())) {
                continue;
            }
            ShapeInference.inferNode(n, m.opset());
            for (Value v : n.outputs()) {
                TensorType w = written.get(v);
                if (w != null && w.shape() != null && v.type() != null && v.type().shape() != null
                        && w.shape().isStatic() && v.type().shape().isStatic()) {
                    assertTrue(w.shape().equals(v.type().shape()), "surgery wrote " + w + " for " + v.name()
                            + ", inference gives " + v.type());
                }
            }
        }
    }

    /** An independent copy of a model, through its serialized form. */
    public static Model copy(Model m) throws IOException {
        Path tmp = Files.createTempFile("lathe-prune", ".onnx");
        try {
            Files.write(tmp, Onnx.toBytes(m));
            Model c = Onnx.load(tmp);
            // Loaded tensors may map the file; detach them before it goes away.
            for (var v : c.graph().initializers().values()) {
                var t = v.constValue();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) t.byteSize());
                b.put(t.data()).flip();
                v.setConstValue(dev.lathe.graph.ir.Tensor.of(t.dtype(), t.dims(), b));
            }
            return c;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

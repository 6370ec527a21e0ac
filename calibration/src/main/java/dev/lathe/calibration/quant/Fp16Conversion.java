package dev.lathe.calibration.quant;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.pass.DeadCodeElimination;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Converts a float32 model to float16: every default-domain op on float tensors computes in float16 (its float
 * constants stored as float16), except the ops in a keep list, which stay float32 with Casts on the edges between
 * the two regions. Graph inputs and outputs stay float32 by default (a Cast after each input; the ops that produce
 * the outputs, the classifier's Gemm for a CNN, compute in float32, as the INT8 layouts leave the logits float), so
 * callers feed and read what they did before.
 */
public final class Fp16Conversion {
    /**
     * Ops kept in float32 by default: reductions and exponentials whose float16 sums or results overflow or lose
     * the precision that normalisation and softmax need, ops whose float inputs are coordinates or counts (Resize,
     * Range, TopK, CumSum), and random generators.
     */
    public static final Set<String> KEEP_FLOAT = Set.of("LayerNormalization", "InstanceNormalization",
            "GroupNormalization", "Softmax", "LogSoftmax", "ReduceMean", "ReduceSum", "ReduceSumSquare", "ReduceL2",
            "ReduceLogSumExp", "Exp", "Log", "Pow", "Resize", "Upsample", "Range", "TopK", "CumSum",
            "NonMaxSuppression", "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike");

    private Fp16Conversion() {}

    /** The float16 form of {@code model} (not modified), with {@code keepFloat} ops left in float32. */
    public static Model convert(Model model, Set<String> keepFloat, boolean keepIoFloat) {
        Model m = model.copy();
        ShapeInference.inferModel(m);
        Graph g = m.graph();
        Set<Node> half = new HashSet<>();
        Set<Value> outputs = new HashSet<>(g.outputs());
        for (Node n : g.nodes()) {
            boolean makesOutput = keepIoFloat && n.outputs().stream().anyMatch(outputs::contains);
            if (n.domain().isEmpty() && !keepFloat.contains(n.opType()) && Graph.subgraphs(n).isEmpty()
                    && touchesFloat(n) && !makesOutput) {
                half.add(n);
            }
        }
        Map<Value, Value> toHalf = new HashMap<>();
        Map<Value, Value> toFloat = new HashMap<>();
        for (Node n : new ArrayList<>(g.nodes())) {
            for (int i = 0; i < n.inputs().size(); i++) {
                Value v = n.input(i);
                if (v == null || v.name().isEmpty()) {
                    continue;
                }
                boolean isHalf = producesHalf(v, half, keepIoFloat);
                if (half.contains(n) && v.dtype() == DataType.FLOAT && !isHalf) {
                    n.replaceInput(i, toHalf.computeIfAbsent(v, x -> convertTo(m, x, DataType.FLOAT16)));
                } else if (!half.contains(n) && isHalf) {
                    n.replaceInput(i, toFloat.computeIfAbsent(v, x -> convertTo(m, x, DataType.FLOAT)));
                }
            }
        }
        for (Node n : half) {
            if (n.opType().equals("Cast") && n.attrInt("to", 0) == DataType.FLOAT.code()) {
                n.attr("to", Attr.of((long) DataType.FLOAT16.code()));
            }
            if (n.opType().equals("ConstantOfShape") && n.attr("value") instanceof Attr.TensorAttr t
                    && t.value().dtype() == DataType.FLOAT) {
                n.attr("value", Attr.of(toHalf(t.value())));
            }
            for (Value out : n.outputs()) {
                if (out.dtype() == DataType.FLOAT) {
                    out.setType(null); // re-inferred as float16 below
                }
            }
        }
        if (!keepIoFloat) {
            for (Value in : g.inputs()) {
                if (!in.isInitializer() && in.dtype() == DataType.FLOAT) {
                    in.setType(new TensorType(DataType.FLOAT16, in.shape()));
                }
            }
        }
        for (int i = 0; i < g.outputs().size(); i++) {
            Value out = g.outputs().get(i);
            if (keepIoFloat && out.producer() != null && half.contains(out.producer())) {
                String name = out.name();
                out.setName(g.uniqueName(name + "_fp16"));
                Value cast = GraphBuilder.editing(m).after(out.producer()).inferTypes(false).ops()
                        .cast(out, DataType.FLOAT);
                cast.setName(name);
                g.setOutput(i, cast);
            } else if (!keepIoFloat && out.dtype() == DataType.FLOAT) {
                out.setType(null);
            }
        }
        new DeadCodeElimination().apply(m);
        ShapeInference.inferModel(m);
        return m;
    }

    private static boolean touchesFloat(Node n) {
        for (Value v : n.inputs()) {
            if (v != null && v.dtype() == DataType.FLOAT) {
                return true;
            }
        }
        for (Value v : n.outputs()) {
            if (v.dtype() == DataType.FLOAT) {
                return true;
            }
        }
        return false;
    }

    private static boolean producesHalf(Value v, Set<Node> half, boolean keepIoFloat) {
        if (v.dtype() != DataType.FLOAT && v.type() != null) {
            return false;
        }
        if (v.producer() != null) {
            return half.contains(v.producer());
        }
        return !v.isInitializer() && !keepIoFloat;
    }

    /** A float16 copy of a constant, or a Cast of an activation, placed before its first consumer. */
    private static Value convertTo(Model m, Value v, DataType to) {
        Graph g = m.graph();
        if (v.isInitializer() && to == DataType.FLOAT16) {
            return g.addInitializer(g.uniqueName(v.name() + "_fp16"), toHalf(v.constValue()));
        }
        GraphBuilder b = GraphBuilder.editing(m).inferTypes(false).namePrefix(v.name());
        if (v.producer() != null) {
            b.after(v.producer());
        } else {
            b.before(g.nodes().get(0));
        }
        return b.ops().cast(v, to);
    }

    private static Tensor toHalf(Tensor t) {
        return Tensor.fromDoubles(DataType.FLOAT16, t.dims(), t.toDoubles());
    }
}

package dev.lathe.pruning.plan;

import dev.lathe.graph.infer.Constants;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameters and multiply-accumulates of one weighted layer (Conv, ConvTranspose, Gemm, MatMul with a constant
 * weight) at batch 1. A layer's MACs are its weight's element count times the positions it is applied at (output
 * pixels for Conv, input pixels for ConvTranspose, rows for Gemm and MatMul), so they scale with the weight when
 * channels are cut. Other ops (BatchNorm, activations, pooling) are not counted, as in Torch-Pruning's counter for
 * these models they are a fraction of a percent.
 *
 * @param positions -1 when the layer's output shape is unknown
 */
public record LayerCost(String node, String opType, String weight, long weightElements, long params,
        long positions) {

    public long macs() {
        return positions < 0 ? 0 : positions * weightElements;
    }

    /** The weighted layers of a model, in node order. Types missing from the file are inferred where rules exist. */
    public static List<LayerCost> of(Model model) {
        fillTypes(model);
        List<LayerCost> out = new ArrayList<>();
        for (Node n : model.graph().nodes()) {
            String op = n.opType();
            if (!n.domain().isEmpty() || !(op.equals("Conv") || op.equals("ConvTranspose") || op.equals("Gemm")
                    || op.equals("MatMul"))) {
                continue;
            }
            Value wv = n.inputs().size() > 1 ? n.input(1) : null;
            if (wv != null && Constants.valueOf(wv) == null && op.equals("MatMul")) {
                wv = constantLeaf(wv);
            }
            Tensor w = wv == null ? null : Constants.valueOf(wv);
            if (w == null) {
                continue;
            }
            long params = 0;
            for (int i = 1; i < n.inputs().size(); i++) {
                Tensor t = n.input(i) == null ? null : Constants.valueOf(n.input(i));
                params += t == null ? 0 : t.numel();
            }
            if (params == 0) {
                params = w.numel();
            }
            long positions;
            if (op.equals("Conv")) {
                positions = spatial(n.output(0).shape(), 2);
            } else if (op.equals("ConvTranspose")) {
                positions = spatial(n.input(0).shape(), 2);
            } else if (op.equals("Gemm")) {
                positions = rows(n.output(0).shape(), 1);
            } else {
                positions = rows(n.output(0).shape(), 1);
            }
            out.add(new LayerCost(n.name(), op, wv.name(), w.numel(), params, positions));
        }
        return out;
    }

    /** The weight behind a MatMul computed from one initializer (a normalised weight). */
    private static Value constantLeaf(Value v) {
        for (int depth = 0; v != null && depth < 8; depth++) {
            if (Constants.valueOf(v) != null) {
                return v;
            }
            Node p = v.producer();
            if (p == null || p.inputs().isEmpty()) {
                return null;
            }
            v = p.input(0);
        }
        return null;
    }

    /** Product of dims from {@code from}; symbolic batch-like dims before it do not count; -1 if unknown. */
    private static long spatial(Shape s, int from) {
        if (s == null) {
            return -1;
        }
        long p = 1;
        for (int i = from; i < s.rank(); i++) {
            if (!s.get(i).isFixed()) {
                return -1;
            }
            p *= s.get(i).size();
        }
        return p;
    }

    /** Product of all dims but the last {@code trailing}, with dim 0 (batch) counted as 1. */
    private static long rows(Shape s, int trailing) {
        if (s == null) {
            return -1;
        }
        long p = 1;
        for (int i = 1; i < s.rank() - trailing; i++) {
            if (!s.get(i).isFixed()) {
                return -1;
            }
            p *= s.get(i).size();
        }
        return p;
    }

    /** Infers output types the file does not carry, node by node, skipping ops without a rule. */
    static void fillTypes(Model model) {
        for (Node n : model.graph().nodes()) {
            boolean missing = false;
            for (Value o : n.outputs()) {
                missing |= o.type() == null || o.type().shape() == null;
            }
            if (!missing) {
                continue;
            }
            try {
                ShapeInference.inferNode(n, model.opset());
            } catch (RuntimeException e) {
                // No rule or not enough input information: this layer's MACs stay unknown.
            }
        }
    }

    /** Sum of every initializer's elements. */
    public static long totalParams(Model model) {
        long n = 0;
        for (Value v : model.graph().initializers().values()) {
            if (v.constValue() != null && v.constValue().dtype().isFloatingPoint()) {
                n += v.constValue().numel();
            }
        }
        return n;
    }
}

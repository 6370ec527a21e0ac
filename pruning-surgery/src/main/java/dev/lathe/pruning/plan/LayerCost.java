package dev.lathe.pruning.plan;

import dev.lathe.graph.infer.Constants;
import dev.lathe.graph.count.LayerCount;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters and multiply-accumulates of one weighted layer (Conv, ConvTranspose, Gemm, MatMul with a constant
 * weight) at batch 1, as {@link dev.lathe.graph.count.ModelCounter} counts them. A layer's MACs are its weight's
 * element count times the positions it is applied at (output pixels for Conv, input pixels for ConvTranspose, rows for Gemm and MatMul), so
 * the planner can scale them with the weight when channels are cut.
 *
 * @param positions -1 when the layer's output shape is unknown
 */
public record LayerCost(String node, String opType, String weight, long weightElements, long params,
        long positions) {

    public long macs() {
        return positions < 0 ? 0 : positions * weightElements;
    }

    /** The weighted layers of a model, in node order, with their MACs from {@code count} (the model's count). */
    public static List<LayerCost> of(Model model, ModelCount count) {
        Map<String, LayerCount> counted = new HashMap<>();
        for (LayerCount c : count.nodes()) {
            counted.put(c.name(), c);
        }
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
            LayerCount c = counted.get(n.name());
            if (w == null || c == null) {
                continue;
            }
            long positions = c.macs() < 0 || w.numel() == 0 ? -1 : c.macs() / w.numel();
            out.add(new LayerCost(n.name(), op, wv.name(), w.numel(), c.params(), positions));
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

}

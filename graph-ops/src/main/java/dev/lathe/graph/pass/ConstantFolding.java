package dev.lathe.graph.pass;

import dev.lathe.graph.infer.Constants;
import dev.lathe.graph.infer.IntOps;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds shape subgraphs into initializers: every node {@link ConstantEvaluator} can compute from constant inputs is
 * replaced by an initializer carrying the output's name, and {@code Constant} nodes become initializers. This is
 * what turns torch.onnx's {@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape} chains into a plain Reshape when
 * the shape is static.
 *
 * <p>{@code Shape} needs the static shape of its input, from the value's type. Where a type is missing the pass asks
 * {@link ShapeInference} for it and carries on without when no rule applies. With a symbolic batch dimension
 * {@code Shape} itself cannot fold, but {@code Gather} and {@code Slice} reading only its static dimensions
 * ({@code x.size(1)}, {@code x.shape[2:]}) do. Float arithmetic and large results are left to the runtime. Nodes
 * producing graph outputs are kept so the output stays a computed value. Fold results feed later nodes in the same
 * walk; the pass leaves now-unused producers (the {@code Shape} node) to {@link DeadCodeElimination}.
 */
public final class ConstantFolding implements Pass {

    @Override
    public PassResult apply(Model model) {
        return new PassResult(model, fold(model.graph(), model.opset()));
    }

    static boolean fold(Graph g, long opset) {
        boolean modified = false;
        for (Node n : new ArrayList<>(g.nodes())) {
            for (Graph sub : Graph.subgraphs(n)) {
                modified |= fold(sub, opset);
            }
            if (!ConstantEvaluator.OPS.contains(n.opType()) || !n.domain().isEmpty() || n.outputs().size() != 1
                    || g.outputs().contains(n.output(0))) {
                inferMissingTypes(n, opset);
                continue;
            }
            Tensor result = ConstantEvaluator.evaluate(n, ConstantEvaluator.constantInputs(n), opset);
            if (result == null) {
                result = staticDimsOfShape(n, opset);
            }
            if (result == null) {
                inferMissingTypes(n, opset);
                continue;
            }
            replaceByInitializer(g, n, result);
            modified = true;
        }
        return modified;
    }

    private static void replaceByInitializer(Graph g, Node n, Tensor value) {
        Value out = n.output(0);
        String name = out.name();
        out.setName(g.uniqueName(name + "_folded"));
        Value init = g.addInitializer(name, value);
        init.setDocString(out.docString());
        out.replaceAllUsesWith(init);
        g.removeNode(n);
    }

    /**
     * {@code Gather} or {@code Slice} over the output of a {@code Shape} whose input's shape is only partly static:
     * folds when every selected dimension is fixed.
     */
    private static Tensor staticDimsOfShape(Node n, long opset) {
        if (!(n.opType().equals("Gather") || n.opType().equals("Slice")) || n.input(0) == null) {
            return null;
        }
        Node shapeNode = n.input(0).producer();
        if (shapeNode == null || !shapeNode.opType().equals("Shape") || !shapeNode.domain().isEmpty()
                || shapeNode.input(0) == null) {
            return null;
        }
        Shape s = shapeNode.input(0).shape();
        if (s == null) {
            return null;
        }
        int[] window = ConstantEvaluator.shapeRange(shapeNode, s.rank(), opset);
        List<Dim> dims = s.dims().subList(window[0], window[1]);
        long[] positions;
        long[] outDims;
        if (n.opType().equals("Gather")) {
            Tensor idx = n.input(1) == null ? null : Constants.valueOf(n.input(1));
            if (idx == null || n.attrInt("axis", 0) != 0 && n.attrInt("axis", 0) != -1) {
                return null;
            }
            positions = idx.toLongs();
            outDims = idx.dims();
        } else {
            if (opset < 10) {
                return null;
            }
            Tensor[] in = ConstantEvaluator.constantInputs(n);
            for (int i = 1; i < in.length; i++) {
                if (n.input(i) != null && in[i] == null) {
                    return null;
                }
            }
            if (in.length < 3) {
                return null;
            }
            IntOps.SliceWindow w = IntOps.SliceWindow.of(new long[] {dims.size()},
                    in[1].toLongs(), in[2].toLongs(), in.length > 3 && in[3] != null ? in[3].toLongs() : null,
                    in.length > 4 && in[4] != null ? in[4].toLongs() : null);
            if (w == null) {
                return null;
            }
            positions = new long[(int) w.outDims()[0]];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = w.starts()[0] + i * w.steps()[0];
            }
            outDims = w.outDims();
        }
        long[] sizes = new long[positions.length];
        for (int i = 0; i < positions.length; i++) {
            long p = IntOps.gatherIndex(positions[i], dims.size());
            if (p < 0 || !dims.get((int) p).isFixed()) {
                return null;
            }
            sizes[i] = dims.get((int) p).size();
        }
        return Tensor.fromLongs(DataType.INT64, outDims, sizes);
    }

    /**
     * Gives types to outputs that have none (or no rank), so a later {@code Shape} can fold. Types already known,
     * for example declared in the file's value_info, are kept; a node without an inference rule, or one whose rule
     * fails, is left untyped.
     */
    private static void inferMissingTypes(Node n, long opset) {
        boolean missing = false;
        for (Value v : n.outputs()) {
            missing |= v.type() == null || v.type().shape() == null;
        }
        if (!missing || !ShapeInference.hasRule(n.domain(), n.opType())) {
            return;
        }
        List<TensorType> known = new ArrayList<>();
        for (Value v : n.outputs()) {
            known.add(v.type());
        }
        try {
            ShapeInference.inferNode(n, opset);
        } catch (RuntimeException e) {
            // missing or partial types upstream: this node stays untyped, which only means less folding
        }
        for (int i = 0; i < known.size(); i++) {
            if (known.get(i) != null && known.get(i).shape() != null) {
                n.output(i).setType(known.get(i));
            }
        }
    }
}

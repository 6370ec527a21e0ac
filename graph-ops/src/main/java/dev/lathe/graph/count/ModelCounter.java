package dev.lathe.graph.count;

import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts parameters and MACs of a model, per node and in total.
 *
 * <p><b>Parameters</b>: the elements of every floating-point initializer, each counted once (shared weights once,
 * as {@code model.parameters()} de-duplicates), except initializers used only in slots that hold state or
 * configuration rather than weights: BatchNormalization's running mean and variance (inputs 3, 4: PyTorch buffers),
 * Quantize/DequantizeLinear scales and zero points, Resize roi/scales/sizes, Pad pads/value/axes, Clip bounds and
 * Dropout ratio, and 0-d (scalar) operands such as epsilons and scales. Integer initializers (shapes, axes,
 * indices) are never parameters. A parameter is attributed to the
 * first node that reads it. This reproduces torchvision's counts: ResNet-50 25,557,032 and DenseNet-201 20,013,928
 * (BatchNorm weight and bias included). A model exported with BatchNorm folded into Conv biases has fewer
 * parameters (one bias per channel instead of weight and bias), exactly what it stores.
 *
 * <p><b>MACs</b> (multiply-accumulates, what the papers and torchvision call "FLOPs"/"GMACs"), per image: a symbolic
 * leading (batch) dimension is taken as 1, and a model exported with a fixed batch B > 1 has every node's count
 * divided by B ({@link ModelCount#batch()} says so). A symbolic dimension anywhere else (a dynamic height, width or
 * sequence length) has no value to count with: the node is listed as uncounted, never counted as if it were 1.
 * <ul>
 *   <li>Conv: output elements x (C_in / groups) x prod(kernel) = out_numel x W[1] x prod(W[2:]);</li>
 *   <li>ConvTranspose: input elements x (C_out / groups) x prod(kernel) = in_numel x W[1] x prod(W[2:]);</li>
 *   <li>Gemm: M x N x K; MatMul: output elements x K (batched and 1-D forms alike).</li>
 * </ul>
 * Bias additions, BatchNorm/LayerNorm, activations, elementwise arithmetic, pooling, Softmax and data movement
 * count 0 MACs: they are not multiply-accumulates of weights, and torchvision's published numbers (ResNet-50 4.09
 * GMACs) exclude them.
 */
public final class ModelCounter {
    private ModelCounter() {}

    /**
     * Counts the model's main graph. Output sizes need types: they are inferred on a copy (the graph only; tensor
     * data is shared), so counting never edits the caller's model.
     */
    public static ModelCount count(Model model) {
        Model typed = model.copy();
        ShapeInference.inferModel(typed);
        Graph g = typed.graph();
        Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Value, Boolean> isParam = new IdentityHashMap<>();
        List<LayerCount> nodes = new ArrayList<>();
        List<String> uncounted = new ArrayList<>();
        long params = 0;
        long macs = 0;
        long batch = fixedBatch(g);
        for (Node n : g.nodes()) {
            long p = 0;
            for (Value v : n.inputs()) {
                if (v != null && v.isInitializer() && seen.add(v)
                        && isParam.computeIfAbsent(v, ModelCounter::isParameter)) {
                    p += v.constValue().numel();
                }
            }
            long m = macs(n);
            if (m > 0) {
                m /= batch; // per image: every batched output carries the batch as a factor
            }
            if (m < 0) {
                uncounted.add(n.describe());
            } else {
                macs += m;
            }
            params += p;
            nodes.add(new LayerCount(n.name(), n.opType(), n.outputs().isEmpty() ? null : n.output(0).type(), p, m));
        }
        return new ModelCount(params, macs, nodes, uncounted, batch);
    }

    /** The fixed leading dimension shared by the graph's (non-initializer) inputs when it is > 1; else 1. */
    static long fixedBatch(Graph g) {
        long batch = 0;
        for (Value v : g.inputs()) {
            if (v.isInitializer()) {
                continue;
            }
            Shape s = v.shape();
            if (s == null || s.rank() == 0 || !(s.get(0) instanceof Dim.Fixed f)) {
                return 1; // a dynamic or unknown batch: counts are already per image (symbolic batch taken as 1)
            }
            if (batch != 0 && batch != f.size()) {
                return 1; // inputs disagree on the leading size: it is not a batch
            }
            batch = f.size();
        }
        return batch > 1 ? batch : 1;
    }

    /**
     * Whether an initializer counts as a parameter here: floating point, not 0-d, and read somewhere other than a
     * state slot (BatchNorm running mean and variance). The pruning planner estimates params with the same rule.
     */
    public static boolean isParameter(Value init) {
        if (!init.constValue().dtype().isFloatingPoint()) {
            return false;
        }
        if (init.constValue().rank() == 0) {
            return false; // 0-d floats are arithmetic operands (eps, 0.5, 1/sqrt(d)), never nn.Module parameters
        }
        if (init.uses().isEmpty()) {
            return true; // an unused float initializer is still stored weight data
        }
        for (Value.Use u : init.uses()) {
            if (!isStateSlot(u.node().opType(), u.index())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStateSlot(String op, int index) {
        switch (op) {
            case "BatchNormalization":
                return index == 3 || index == 4;
            case "QuantizeLinear":
            case "DequantizeLinear":
            case "Clip":
            case "Dropout":
                return index >= 1;
            case "Resize":
            case "Pad":
                return index >= 1;
            default:
                return false;
        }
    }

    /** MACs of one node at the model's batch; 0 for ops that are not weight multiply-accumulates; -1 if a size is unknown. */
    static long macs(Node n) {
        switch (n.opType()) {
            case "Conv": {
                Shape w = n.input(1).shape();
                long out = numelAtBatch1(n.output(0).shape());
                long perOut = numelOfFixed(w == null ? null : new Shape(w.dims().subList(1, w.rank())));
                return out < 0 || perOut < 0 ? -1 : out * perOut;
            }
            case "ConvTranspose": {
                Shape w = n.input(1).shape();
                long in = numelAtBatch1(n.input(0).shape());
                long perIn = numelOfFixed(w == null ? null : new Shape(w.dims().subList(1, w.rank())));
                return in < 0 || perIn < 0 ? -1 : in * perIn;
            }
            case "Gemm": {
                Shape a = n.input(0).shape();
                long out = numelAtBatch1(n.output(0).shape());
                if (a == null || out < 0) {
                    return -1;
                }
                long k = fixedSize(n.attrInt("transA", 0) != 0 ? a.get(0) : a.get(1));
                return k < 0 ? -1 : out * k;
            }
            case "MatMul": {
                Shape a = n.input(0).shape();
                long out = numelAtBatch1(n.output(0).shape());
                if (a == null || out < 0) {
                    return -1;
                }
                long k = fixedSize(a.get(a.rank() - 1));
                return k < 0 ? -1 : out * k;
            }
            default:
                return 0;
        }
    }

    /** A fixed size, or -1 for a symbolic or unknown one. */
    private static long fixedSize(Dim d) {
        return d instanceof Dim.Fixed f ? f.size() : -1;
    }

    /**
     * Element count with a symbolic leading (batch) dimension taken as 1; -1 when the shape is unknown or another
     * dimension is not fixed (a dynamic height or width has no value to count with).
     */
    static long numelAtBatch1(Shape s) {
        if (s == null) {
            return -1;
        }
        long n = 1;
        for (int i = 0; i < s.rank(); i++) {
            Dim d = s.get(i);
            long k = i == 0 && d instanceof Dim.Symbolic ? 1 : fixedSize(d);
            if (k < 0) {
                return -1;
            }
            n *= k;
        }
        return n;
    }

    /** Element count of a shape whose every dimension must be fixed (weights); -1 otherwise. */
    private static long numelOfFixed(Shape s) {
        if (s == null) {
            return -1;
        }
        long n = 1;
        for (Dim d : s.dims()) {
            long k = fixedSize(d);
            if (k < 0) {
                return -1;
            }
            n *= k;
        }
        return n;
    }
}

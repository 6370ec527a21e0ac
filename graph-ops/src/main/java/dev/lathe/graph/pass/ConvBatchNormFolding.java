package dev.lathe.graph.pass;

import dev.lathe.graph.infer.Constants;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds an inference-mode {@code BatchNormalization} into the {@code Conv} that feeds it.
 *
 * <p>Pattern: {@code BatchNormalization(Conv(x, W, b?), scale, B, mean, var)}. Check ({@link #check}): the Conv
 * output has the BatchNormalization as its only consumer and is no graph output, the BatchNormalization is in
 * inference mode (no {@code training_mode}, one output, {@code spatial} not 0), and W, b, scale, B, mean and var are
 * float32 constants of matching channel count that are not overridable graph inputs. Replacement, with
 * {@code k = scale / sqrt(var + epsilon)} per output channel: {@code W' = W * k}, {@code b' = (b - mean) * k + B}
 * (computed in double, stored as float32). The Conv keeps its node name and takes over the BatchNormalization
 * output's value name; W' and b' are new initializers, named like the Conv's old weight ({@code conv1.weight},
 * {@code conv1.bias}) when the old initializers were used by this Conv alone, else given fresh names.
 *
 * <p>Folding is exact in real arithmetic but not bit-exact in float32 (the products round differently).
 */
public final class ConvBatchNormFolding implements Pass {
    private final List<Rejection> rejections = new ArrayList<>();

    /** A BatchNormalization that follows a Conv but was not folded, and why. */
    public record Rejection(String batchNormNode, String reason) {}

    /** The outcome of {@link #check}: a foldable pair, or a reason it is not. */
    public record Check(Node conv, Node batchNorm, String reason) {
        public boolean foldable() {
            return reason == null;
        }
    }

    /** BatchNormalization nodes after a Conv that the last {@link #apply} left alone, with reasons. */
    public List<Rejection> rejections() {
        return List.copyOf(rejections);
    }

    @Override
    public PassResult apply(Model model) {
        rejections.clear();
        return new PassResult(model, process(model.graph()));
    }

    private boolean process(Graph g) {
        boolean modified = false;
        for (Node n : new ArrayList<>(g.nodes())) {
            for (Graph sub : Graph.subgraphs(n)) {
                modified |= process(sub);
            }
            if (!isOp(n, "BatchNormalization") || n.input(0) == null || n.input(0).producer() == null
                    || !isOp(n.input(0).producer(), "Conv")) {
                continue;
            }
            Check c = check(n);
            if (c.foldable()) {
                fold(g, c.conv(), n);
                modified = true;
            } else {
                rejections.add(new Rejection(n.name(), c.reason()));
            }
        }
        return modified;
    }

    private static boolean isOp(Node n, String op) {
        return n.opType().equals(op) && n.domain().isEmpty();
    }

    /** Whether {@code bn} can be folded into the Conv producing its input, and if not, why. */
    public static Check check(Node bn) {
        if (!isOp(bn, "BatchNormalization")) {
            return reject(null, bn, "is not a BatchNormalization");
        }
        Value y = bn.input(0);
        Node conv = y == null ? null : y.producer();
        if (conv == null || !isOp(conv, "Conv") || conv.graph() != bn.graph()) {
            return reject(null, bn, "input 0 is not produced by a Conv in the same graph");
        }
        Graph g = bn.graph();
        if (y.uses().size() != 1) {
            return reject(conv, bn, "Conv output '" + y.name() + "' has " + y.uses().size()
                    + " uses; the BatchNormalization must be its only consumer");
        }
        if (g.outputs().contains(y)) {
            return reject(conv, bn, "Conv output '" + y.name() + "' is a graph output");
        }
        if (bn.attrInt("training_mode", 0) != 0) {
            return reject(conv, bn, "training_mode=1 (batch statistics, not running statistics)");
        }
        for (int i = 1; i < bn.outputs().size(); i++) {
            if (!bn.output(i).uses().isEmpty() || g.outputs().contains(bn.output(i))) {
                return reject(conv, bn, "output " + i + " '" + bn.output(i).name()
                        + "' (running statistic) is used: training-mode BatchNormalization");
            }
        }
        if (bn.attrInt("spatial", 1) == 0) {
            return reject(conv, bn, "spatial=0 (per-activation statistics) cannot fold into per-channel weights");
        }
        String[] names = {"scale", "B", "input_mean", "input_var"};
        for (int i = 1; i <= 4; i++) {
            String why = constantProblem(g, bn.input(i), "BatchNormalization " + names[i - 1]);
            if (why != null) {
                return reject(conv, bn, why);
            }
        }
        String why = constantProblem(g, conv.input(1), "Conv weight");
        if (why == null && conv.input(2) != null) {
            why = constantProblem(g, conv.input(2), "Conv bias");
        }
        if (why != null) {
            return reject(conv, bn, why);
        }
        Tensor w = Constants.valueOf(conv.input(1));
        if (w.rank() < 3) {
            return reject(conv, bn, "Conv weight '" + conv.input(1).name() + "' has rank " + w.rank()
                    + ", expected [M, C/group, k...]");
        }
        long m = w.dim(0);
        for (int i = 1; i <= 4; i++) {
            Tensor t = Constants.valueOf(bn.input(i));
            if (t.numel() != m) {
                return reject(conv, bn, "BatchNormalization " + names[i - 1] + " '" + bn.input(i).name() + "' has "
                        + t.numel() + " elements, Conv has " + m + " output channels");
            }
        }
        if (conv.input(2) != null && Constants.valueOf(conv.input(2)).numel() != m) {
            return reject(conv, bn, "Conv bias '" + conv.input(2).name() + "' does not have " + m + " elements");
        }
        return new Check(conv, bn, null);
    }

    private static String constantProblem(Graph g, Value v, String what) {
        if (v == null) {
            return what + " is missing";
        }
        Tensor t = Constants.valueOf(v);
        if (t == null) {
            return what + " '" + v.name() + "' is not a constant";
        }
        if (g.inputs().contains(v)) {
            return what + " '" + v.name() + "' is also a graph input and may be overridden at run time";
        }
        if (t.dtype() != DataType.FLOAT) {
            return what + " '" + v.name() + "' is " + t.dtype() + "; only float32 is folded";
        }
        return null;
    }

    private static Check reject(Node conv, Node bn, String reason) {
        return new Check(conv, bn, reason);
    }

    private static void fold(Graph g, Node conv, Node bn) {
        Value wValue = conv.input(1);
        Value bValue = conv.input(2);
        Tensor w = Constants.valueOf(wValue);
        float[] scale = Constants.valueOf(bn.input(1)).toFloats();
        float[] shift = Constants.valueOf(bn.input(2)).toFloats();
        float[] mean = Constants.valueOf(bn.input(3)).toFloats();
        float[] var = Constants.valueOf(bn.input(4)).toFloats();
        float[] bias = bValue == null ? new float[scale.length] : Constants.valueOf(bValue).toFloats();
        double eps = bn.attrFloat("epsilon", 1e-5f);
        int m = scale.length;
        double[] k = new double[m];
        float[] newBias = new float[m];
        for (int c = 0; c < m; c++) {
            k[c] = scale[c] / Math.sqrt((double) var[c] + eps);
            newBias[c] = (float) (((double) bias[c] - mean[c]) * k[c] + shift[c]);
        }
        float[] weights = w.toFloats();
        int per = weights.length / m;
        for (int c = 0; c < m; c++) {
            for (int j = c * per; j < (c + 1) * per; j++) {
                weights[j] = (float) (weights[j] * k[c]);
            }
        }
        Value y = bn.output(0);
        Value convOut = conv.output(0);
        String outName = y.name();
        y.replaceAllUsesWith(convOut, true);
        g.removeNode(bn);
        convOut.setName(outName);

        String weightName = wValue.name();
        String biasName = bValue != null ? bValue.name() : biasNameFor(weightName, conv);
        Value newW = addReplacing(g, wValue, weightName, Tensor.ofFloats(w.dims(), weights));
        conv.replaceInput(1, newW);
        Value newB = addReplacing(g, bValue, biasName, Tensor.ofFloats(new long[] {m}, newBias));
        if (conv.inputs().size() > 2) {
            conv.replaceInput(2, newB);
        } else {
            conv.appendInput(newB);
        }
        removeIfUnused(g, wValue);
        removeIfUnused(g, bValue);
    }

    /** "conv1.weight" gives "conv1.bias"; otherwise the bias is named after the Conv node. */
    private static String biasNameFor(String weightName, Node conv) {
        return weightName.endsWith("weight")
                ? weightName.substring(0, weightName.length() - "weight".length()) + "bias"
                : conv.name() + ".bias";
    }

    /**
     * Adds {@code data} as an initializer. It takes {@code name} when that is free or held only by {@code old}, an
     * initializer this Conv alone reads (which is then retired); otherwise it gets a fresh name derived from it.
     */
    private static Value addReplacing(Graph g, Value old, String name, Tensor data) {
        boolean oldOnlyHere = old != null && g.initializer(old.name()) == old && old.uses().size() == 1;
        if (oldOnlyHere && old.name().equals(name)) {
            g.renameInitializer(name, g.uniqueName(name + "_unfolded"));
        }
        boolean free = g.initializer(name) == null && !g.valuesByName().containsKey(name);
        return g.addInitializer(free ? name : g.uniqueName(name + "_bnfolded"), data);
    }

    private static void removeIfUnused(Graph g, Value v) {
        if (v != null && v.uses().isEmpty() && g.initializer(v.name()) == v && !g.inputs().contains(v)
                && !g.outputs().contains(v)) {
            g.removeInitializer(v.name());
        }
    }
}

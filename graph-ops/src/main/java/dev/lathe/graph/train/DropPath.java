package dev.lathe.graph.train;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic depth ("drop path", timm 0.6.13 {@code timm/models/layers/drop.py}, read as a specification) on the
 * residual branches a forward model marks: in the train step, branch b of each sample becomes {@code b * m / keep}
 * with m ~ Bernoulli(keep) per sample, as timm's {@code drop_path(x, p, training=True)} (scale_by_keep). Models mark
 * a residual join (the Add of branch and shortcut) with {@link #mark}: node metadata naming the branch input and the
 * block it belongs to. Block j of N gets rate {@code rate * j / (N - 1)}, timm's linear decay rule (ResNet's
 * {@code drop_path_rate * block_idx / (blocks - 1)}, EfficientMod's {@code linspace(0, rate, blocks)}); joins of
 * one block (a ViT block's two) share its rate and draw independent masks.
 *
 * <p>The mask is {@code floor(keep + u)} for u from {@link RandomDraws} keyed by the step's {@link TrainStep#SEED}
 * and one stream per join, so a resumed run draws exactly what the uninterrupted run drew. The evaluation graph has
 * no drop path.
 */
public final class DropPath {
    /** Node metadata on a residual Add: which of its inputs (0 or 1) is the branch. */
    public static final String BRANCH = "lathe.residual_branch";
    /** Node metadata on a residual Add: the block it belongs to (the block's scope name). */
    public static final String BLOCK = "lathe.residual_block";
    /** Streams of {@link RandomDraws} used by drop path: STREAM_BASE + join ordinal (other draws use small streams). */
    static final int STREAM_BASE = 1 << 16;

    private DropPath() {}

    /** Marks the Add that produced {@code sum} as a residual join of {@code block}; returns {@code sum}. */
    public static Value mark(Value sum, int branchInput, String block) {
        Node add = sum.producer();
        if (add == null || !add.opType().equals("Add") || branchInput < 0 || branchInput > 1) {
            throw new IllegalArgumentException("a residual join is an Add and its branch input 0 or 1; got "
                    + (add == null ? "a graph input" : add.opType()) + ", input " + branchInput);
        }
        add.metadataProps().put(BRANCH, Integer.toString(branchInput));
        add.metadataProps().put(BLOCK, block);
        return sum;
    }

    /** The marked joins, in graph order. */
    public static List<Node> joins(Graph g) {
        List<Node> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.metadataProps().containsKey(BRANCH)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Per join: the drop rate under timm's linear rule (by block order of first appearance). */
    public static double[] rates(List<Node> joins, double rate) {
        Map<String, Integer> blocks = new LinkedHashMap<>();
        for (Node n : joins) {
            blocks.putIfAbsent(n.metadataProps().get(BLOCK), blocks.size());
        }
        int count = blocks.size();
        double[] r = new double[joins.size()];
        for (int k = 0; k < r.length; k++) {
            int j = blocks.get(joins.get(k).metadataProps().get(BLOCK));
            r[k] = count <= 1 ? 0 : rate * j / (count - 1);
        }
        return r;
    }

    /** Inserts the scaled masks on every marked branch with a rate > 0; returns how many. */
    static int insert(Graph g, Ops e, Value seed, double rate) {
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("drop path rate must be in (0, 1), got " + rate);
        }
        List<Node> joins = joins(g);
        if (joins.isEmpty()) {
            throw new IllegalArgumentException("drop path " + rate + ": the model marks no residual branches (zoo "
                    + "models with residual blocks do; an imported ONNX file does not)");
        }
        double[] rates = rates(joins, rate);
        int inserted = 0;
        for (int k = 0; k < joins.size(); k++) {
            if (rates[k] <= 0) {
                continue;
            }
            Node add = joins.get(k);
            int bi = Integer.parseInt(add.metadataProps().get(BRANCH));
            Value branch = add.input(bi);
            long[] dims = Ops.staticShape(branch);
            float keep = (float) (1 - rates[k]);
            e.builder().namePrefix(add.name() + "/drop_path");
            Value u = RandomDraws.uniform(e, seed, STREAM_BASE + k, dims[0]);
            Value keepC = e.scalar(DataType.FLOAT, keep);
            // timm: bernoulli_(keep).div_(keep), float32; floor(keep + u) is 1 with probability keep
            Value mask = e.div(e.op("Floor", e.add(u, keepC)), keepC);
            long[] shape = new long[dims.length];
            java.util.Arrays.fill(shape, 1);
            shape[0] = dims[0];
            Value scaled = e.mul(branch, e.reshape(mask, shape));
            add.replaceInput(bi, scaled);
            inserted++;
        }
        return inserted;
    }

    /** The reference mask draw in Java (tests): 1 or 0 for sample {@code i} of join {@code k} at rate {@code r}. */
    public static float keepDraw(long seed, int join, int sample, double r) {
        float keep = (float) (1 - r);
        return (float) Math.floor(RandomDraws.reference(seed, STREAM_BASE + join, sample) + keep);
    }

}

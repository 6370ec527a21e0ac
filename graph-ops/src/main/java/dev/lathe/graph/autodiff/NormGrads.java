package dev.lathe.graph.autodiff;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Backward rules of the normalisations. BatchNormalization has two forms: the inference form (running statistics are
 * constants, so it is an affine map) and training_mode=1 (batch statistics), whose backward is one fused formula
 * with two per-channel reductions instead of the chain rule through a dozen primitives.
 */
final class NormGrads {
    private NormGrads() {}

    static void addTo(BackwardRules.Builder rules) {
        rules.add("BatchNormalization", NormGrads::batchNorm);
        rules.add("LayerNormalization", NormGrads::layerNorm);
    }

    private static Value[] batchNorm(BackwardContext c) {
        return c.attrInt("training_mode", 0) != 0 ? batchNormTraining(c) : batchNormInference(c);
    }

    /**
     * Training-mode BatchNormalization, y = gamma xhat + beta with xhat = (x - mean) invstd over the batch statistics.
     * The statistics are read back from the node's running-stat outputs: running' = momentum
     * running + (1 - momentum) batch, so with momentum 0 (what the train-step builder emits) they are the batch mean
     * and biased variance themselves. With n values per channel, c = x - mean, S1 = sum dy, S2 = sum dy c:
     * dgamma = invstd S2, dbeta = S1, dx = gamma invstd (dy - S1 / n - c invstd^2 S2 / n): seven passes over
     * the activation (Sub, two ReduceSum, Mul for S2, and dx as dy k + (c f + shift) with per-channel k, f, shift).
     */
    private static Value[] batchNormTraining(BackwardContext c) {
        Node n = c.node();
        long[] x = c.shape(c.in(0));
        long ch = x[1];
        long count = 1;
        long[] bc = new long[x.length];
        Arrays.fill(bc, 1);
        bc[1] = ch;
        long[] axes = new long[x.length - 1];
        for (int i = 0; i < x.length; i++) {
            if (i != 1) {
                count *= x[i];
                axes[i == 0 ? 0 : i - 1] = i;
            }
        }
        if (c.in(3) == null || c.in(4) == null) {
            throw c.fail("training-mode BatchNormalization needs its running mean and variance inputs");
        }
        if (n.outputs().size() < 3) { // ONNX requires them in training mode; checked here for a clear message
            throw c.fail("training-mode BatchNormalization needs its running_mean and running_var outputs");
        }
        double momentum = c.attrFloat("momentum", 0.9f);
        if (momentum >= 1) {
            throw c.fail("momentum " + momentum + " keeps the running statistics fixed, so the batch statistics "
                    + "cannot be read back from them");
        }
        Value mean = batchStat(c, n.output(1), c.in(3), momentum);
        Value var = batchStat(c, n.output(2), c.in(4), momentum);
        Value invStd = c.ops().op("Reciprocal", c.ops().op("Sqrt", c.ops().add(var, c.scalar(c.attrFloat("epsilon",
                1e-5f)))));
        Value dy = c.grad(0);
        Value centered = c.ops().sub(c.in(0), c.ops().reshape(mean, bc));
        Value sumDy = c.ops().reduceSum(dy, false, axes);
        Value sumDyCentered = c.ops().reduceSum(c.ops().mul(dy, centered), false, axes);
        Value[] g = new Value[c.inputCount()];
        if (c.needs(0)) {
            Value k = c.ops().mul(c.in(1), invStd); // gamma invstd
            Value shift = c.ops().mul(k, c.ops().mul(sumDy, c.scalar(-1.0 / count)));
            Value cFactor = c.ops().mul(c.ops().mul(k, c.ops().mul(invStd, invStd)),
                    c.ops().mul(sumDyCentered, c.scalar(-1.0 / count)));
            Value rest = c.ops().add(c.ops().mul(centered, c.ops().reshape(cFactor, bc)), c.ops().reshape(shift, bc));
            g[0] = c.ops().add(c.ops().mul(dy, c.ops().reshape(k, bc)), rest);
        }
        if (c.needs(1)) {
            g[1] = c.ops().mul(sumDyCentered, invStd);
        }
        if (c.needs(2)) {
            g[2] = sumDy;
        }
        return g;
    }

    /** The batch statistic behind a running-stat output: (out - momentum in) / (1 - momentum). */
    private static Value batchStat(BackwardContext c, Value out, Value in, double momentum) {
        if (momentum == 0) {
            return out;
        }
        return c.ops().mul(c.ops().sub(out, c.ops().mul(in, c.scalar(momentum))), c.scalar(1 / (1 - momentum)));
    }

    private static Value[] batchNormInference(BackwardContext c) {
        long[] x = c.shape(c.in(0));
        long[] bc = new long[x.length]; // [1, C, 1, 1]
        Arrays.fill(bc, 1);
        bc[1] = x[1];
        long[] reduceAxes = new long[x.length - 1];
        reduceAxes[0] = 0;
        for (int i = 2; i < x.length; i++) {
            reduceAxes[i - 1] = i;
        }
        Value eps = c.scalar(c.attrFloat("epsilon", 1e-5f));
        Value invStd = c.ops().reshape(c.ops().op("Reciprocal", c.ops().op("Sqrt", c.ops().add(c.in(4), eps))), bc);
        Value dy = c.grad(0);
        Value[] g = new Value[5];
        if (c.needs(0)) {
            g[0] = c.ops().mul(dy, c.ops().mul(c.ops().reshape(c.in(1), bc), invStd));
        }
        if (c.needs(1)) {
            Value xhat = c.ops().mul(c.ops().sub(c.in(0), c.ops().reshape(c.in(3), bc)), invStd);
            g[1] = c.ops().reduceSum(c.ops().mul(dy, xhat), false, reduceAxes);
        }
        if (c.needs(2)) {
            g[2] = c.ops().reduceSum(dy, false, reduceAxes);
        }
        return g;
    }

    /**
     * LayerNormalization over axes [axis, rank): the forward node is given its Mean and InvStdDev outputs, and
     * dX = invstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) with dxhat = dY scale.
     */
    private static Value[] layerNorm(BackwardContext c) {
        Node n = c.node();
        long[] x = c.shape(c.in(0));
        int rank = x.length;
        long axis = c.attrInt("axis", -1);
        int a = (int) (axis < 0 ? axis + rank : axis);
        long[] statShape = x.clone();
        for (int i = a; i < rank; i++) {
            statShape[i] = 1;
        }
        DataType statType = c.attrInt("stash_type", 1) == 1 ? DataType.FLOAT : c.dtype();
        while (n.outputs().size() < 3) {
            String name = n.graph().uniqueName(n.name() + (n.outputs().size() == 1 ? "_mean" : "_inv_std_dev"));
            n.appendOutput(new Value(name, TensorType.of(statType, statShape)));
        }
        Value mean = n.output(1);
        Value invStd = n.output(2);
        if (statType != c.dtype()) {
            mean = c.ops().cast(mean, c.dtype());
            invStd = c.ops().cast(invStd, c.dtype());
        }
        List<Long> normAxes = new ArrayList<>();
        for (int i = a; i < rank; i++) {
            normAxes.add((long) i);
        }
        long[] na = normAxes.stream().mapToLong(Long::longValue).toArray();
        long[] leadAxes = new long[a];
        for (int i = 0; i < a; i++) {
            leadAxes[i] = i;
        }
        Value dy = c.grad(0);
        Value xhat = c.ops().mul(c.ops().sub(c.in(0), mean), invStd);
        Value[] g = new Value[c.inputCount()];
        if (c.needs(0)) {
            Value dxhat = c.ops().mul(dy, c.in(1));
            Value m1 = c.ops().reduceMean(dxhat, true, na);
            Value m2 = c.ops().reduceMean(c.ops().mul(dxhat, xhat), true, na);
            g[0] = c.ops().mul(invStd, c.ops().sub(c.ops().sub(dxhat, m1), c.ops().mul(xhat, m2)));
        }
        if (c.needs(1)) {
            Value p = c.ops().mul(dy, xhat);
            g[1] = a == 0 ? p : c.ops().reduceSum(p, false, leadAxes);
        }
        if (c.inputCount() > 2 && c.needs(2)) {
            g[2] = a == 0 ? dy : c.ops().reduceSum(dy, false, leadAxes);
        }
        return g;
    }

}

package dev.lathe.graph.autodiff;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Backward rules of the normalisations. BatchNormalization here is the inference form (running statistics are
 * constants, so it is an affine map); training-mode BN is lowered to primitives by the train-step builder, whose
 * batch statistics then differentiate through ReduceMean like any other op.
 */
final class NormGrads {
    private NormGrads() {}

    static void register() {
        BackwardRules.register("BatchNormalization", NormGrads::batchNormInference);
        BackwardRules.register("LayerNormalization", NormGrads::layerNorm);
    }

    private static Value[] batchNormInference(BackwardContext c) {
        if (c.attrInt("training_mode", 0) != 0) {
            throw c.fail("training_mode=1 is lowered to primitives by the train-step builder, not differentiated");
        }
        long[] x = c.shape(c.in(0));
        long[] bc = new long[x.length]; // [1, C, 1, 1]
        java.util.Arrays.fill(bc, 1);
        bc[1] = x[1];
        long[] reduceAxes = new long[x.length - 1];
        reduceAxes[0] = 0;
        for (int i = 2; i < x.length; i++) {
            reduceAxes[i - 1] = i;
        }
        Value eps = c.scalar(c.attrFloat("epsilon", 1e-5f));
        Value invStd = c.e().reshape(c.e().op("Reciprocal", c.e().op("Sqrt", c.e().add(c.in(4), eps))), bc);
        Value dy = c.grad(0);
        Value[] g = new Value[5];
        if (c.needs(0)) {
            g[0] = c.e().mul(dy, c.e().mul(c.e().reshape(c.in(1), bc), invStd));
        }
        if (c.needs(1)) {
            Value xhat = c.e().mul(c.e().sub(c.in(0), c.e().reshape(c.in(3), bc)), invStd);
            g[1] = c.e().reduceSum(c.e().mul(dy, xhat), false, reduceAxes);
        }
        if (c.needs(2)) {
            g[2] = c.e().reduceSum(dy, false, reduceAxes);
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
            mean = c.e().cast(mean, c.dtype());
            invStd = c.e().cast(invStd, c.dtype());
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
        Value xhat = c.e().mul(c.e().sub(c.in(0), mean), invStd);
        Value[] g = new Value[c.inputCount()];
        if (c.needs(0)) {
            Value dxhat = c.e().mul(dy, c.in(1));
            Value m1 = c.e().reduceMean(dxhat, true, na);
            Value m2 = c.e().reduceMean(c.e().mul(dxhat, xhat), true, na);
            g[0] = c.e().mul(invStd, c.e().sub(c.e().sub(dxhat, m1), c.e().mul(xhat, m2)));
        }
        if (c.needs(1)) {
            Value p = c.e().mul(dy, xhat);
            g[1] = a == 0 ? p : c.e().reduceSum(p, false, leadAxes);
        }
        if (c.inputCount() > 2 && c.needs(2)) {
            g[2] = a == 0 ? dy : c.e().reduceSum(dy, false, leadAxes);
        }
        return g;
    }

}

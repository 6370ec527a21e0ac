package dev.lathe.graph.build;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;

/**
 * PyTorch-style layers on a {@link GraphBuilder}: each opens a scope named like the nn.Module attribute and
 * creates parameters with the state_dict names and PyTorch's default initialisation (seeded, so builds repeat).
 */
public final class Nn {
    private final GraphBuilder b;
    /** java.util.Random's sequence for this seed, drawn without its per-call synchronisation. */
    private final SeededRandom rng;

    public Nn(GraphBuilder b, long seed) {
        this.b = b;
        this.rng = new SeededRandom(seed);
    }

    public GraphBuilder builder() {
        return b;
    }

    /** nn.Conv2d: weight [out, in/groups, k, k] initialised kaiming-normal (fan_out, ReLU gain) as torchvision. */
    public Value conv2d(String name, Value x, long out, ConvAttrs a, boolean bias) {
        long in = x.shape().get(1).size();
        try (var s = b.scope(name)) {
            long fanOut = out * a.kernel() * a.kernel() / a.groups();
            Value w = b.param("weight", normal(Math.sqrt(2.0 / fanOut), out, in / a.groups(), a.kernel(), a.kernel()));
            Value bv = bias ? b.param("bias", Tensor.zeros(DataType.FLOAT, out)) : null;
            return b.ops().conv(x, w, bv, a);
        }
    }

    /** nn.BatchNorm2d in eval form: weight 1, bias 0, running_mean 0, running_var 1. */
    public Value batchNorm2d(String name, Value x, float eps) {
        long c = x.shape().get(1).size();
        try (var s = b.scope(name)) {
            return b.ops().batchNorm(x, b.param("weight", fill(1f, c)), b.param("bias", fill(0f, c)),
                    b.param("running_mean", fill(0f, c)), b.param("running_var", fill(1f, c)), eps);
        }
    }

    public Value batchNorm2d(String name, Value x) {
        return batchNorm2d(name, x, 1e-5f);
    }

    /** nn.Linear: weight [out, in], y = x W^T + b, default uniform(-1/sqrt(in), 1/sqrt(in)) init. */
    public Value linear(String name, Value x, long out, boolean bias) {
        long in = x.shape().get(-1).size();
        double bound = 1.0 / Math.sqrt(in);
        try (var s = b.scope(name)) {
            Value w = b.param("weight", uniform(bound, out, in));
            Value bv = bias ? b.param("bias", uniform(bound, out)) : null;
            if (x.shape().rank() == 2) {
                return b.ops().gemm(x, w, bv, true);
            }
            Value y = b.ops().matMul(x, b.ops().transpose(w, 1, 0));
            return bv == null ? y : b.ops().add(y, bv);
        }
    }

    /** nn.LayerNorm over the last dimension: weight 1, bias 0. */
    public Value layerNorm(String name, Value x, float eps) {
        long c = x.shape().get(-1).size();
        try (var s = b.scope(name)) {
            return b.ops().layerNorm(x, b.param("weight", fill(1f, c)), b.param("bias", fill(0f, c)), -1, eps);
        }
    }

    public Tensor normal(double std, long... dims) {
        float[] v = new float[(int) Tensor.numel(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * std);
        }
        return Tensor.ofFloats(dims, v);
    }

    public Tensor uniform(double bound, long... dims) {
        float[] v = new float[(int) Tensor.numel(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return Tensor.ofFloats(dims, v);
    }

    public static Tensor fill(float value, long... dims) {
        float[] v = new float[(int) Tensor.numel(dims)];
        java.util.Arrays.fill(v, value);
        return Tensor.ofFloats(dims, v);
    }
}

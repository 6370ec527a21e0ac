package dev.lathe.graph.train;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;

/**
 * Random numbers drawn inside a train step as a pure function of (seed, stream, element index), so a step fed the
 * same seed draws the same numbers in any session: the trainer feeds {@link TrainStep#SEED} from the run's seed and
 * the global step, and a resumed run draws exactly what the uninterrupted one drew. ONNX's RandomUniform/RandomNormal
 * cannot do this: their seed is an attribute and ONNX Runtime keeps the generator's state in the session, so a new
 * session (a resume) starts the sequence over.
 *
 * <p>The generator is counter-based and uses only int64 Add/Mul/Mod/Div, all exact below 2^63: the index and seed
 * are combined affinely modulo the Mersenne prime p = 2^31 - 1, then four rounds of y = (x + k_r) mod p,
 * x = (y^2 + s) mod p (squaring is the non-linear mixing step; y < 2^31 keeps y^2 < 2^62). The top 23 of its 31 bits
 * give a float in (0, 1) with no endpoint. {@link #reference} is the same function in Java, which the tests compare
 * with bit for bit. Quality is that of a small hash, checked in RandomDrawsTest (moments, 16-bin chi-square,
 * neighbour and cross-seed correlation): enough for noise, masks and Gumbel relaxations, not for cryptography.
 */
public final class RandomDraws {
    static final long P = 2147483647L;
    private static final long INDEX_MUL = 1103515245L;
    private static final long SEED_MUL = 40503L;
    private static final long STREAM_MUL = 2654435761L % P;
    private static final long[] ROUND_KEYS = {362436069L, 521288629L, 88675123L, 123459876L};

    private RandomDraws() {}

    /**
     * Uniform draws in (0, 1) of shape {@code dims} from the INT64 scalar {@code seed}; different {@code stream}s give
     * independent draws from one seed (one stream per random tensor of a step).
     */
    public static Value uniform(Ops o, Value seed, int stream, long... dims) {
        long n = Tensor.numel(dims);
        Value idx = o.op("Range", o.constant(Tensor.ofLongs(new long[0], 0)), o.constant(Tensor.ofLongs(new long[0], n)),
                o.constant(Tensor.ofLongs(new long[0], 1)));
        Value p = int64(o, P); // one constant for every reduction below
        Value s = mod(o, seed, p);
        Value x = mod(o, o.add(o.add(o.mul(idx, int64(o, INDEX_MUL)), o.mul(s, int64(o, SEED_MUL))),
                int64(o, 1 + stream * STREAM_MUL % P)), p);
        for (long k : ROUND_KEYS) {
            Value y = mod(o, o.add(x, int64(o, k)), p);
            x = mod(o, o.add(o.mul(y, y), s), p);
        }
        Value top23 = o.div(x, int64(o, 256)); // 31 -> 23 bits: q + 0.5 is exact in float
        Value u = o.mul(o.add(o.cast(top23, DataType.FLOAT), o.scalar(DataType.FLOAT, 0.5)),
                o.scalar(DataType.FLOAT, 1.0 / (1 << 23)));
        return o.reshape(u, dims);
    }

    /** Standard normal draws (Box-Muller on streams 2k and 2k+1 of the seed). */
    public static Value normal(Ops o, Value seed, int stream, long... dims) {
        Value u1 = uniform(o, seed, 2 * stream, dims);
        Value u2 = uniform(o, seed, 2 * stream + 1, dims);
        Value r = o.sqrt(o.mul(o.op("Log", u1), o.scalar(DataType.FLOAT, -2.0)));
        return o.mul(r, o.op("Cos", o.mul(u2, o.scalar(DataType.FLOAT, 2 * Math.PI))));
    }

    /**
     * The relaxed Bernoulli (binary Concrete, Gumbel-sigmoid) sample sigmoid((logits + log u - log(1 - u)) / T) for
     * uniform draws u, as PyTorch's {@code RelaxedBernoulli(temperature, logits=...).rsample()}; differentiable in
     * the logits. ISP's selector samples its soft mask this way.
     */
    public static Value relaxedBernoulli(Ops o, Value logits, Value u, double temperature) {
        Value one = o.scalar(DataType.FLOAT, 1.0);
        Value noise = o.sub(o.op("Log", u), o.op("Log", o.sub(one, u)));
        return o.sigmoid(o.mul(o.add(logits, noise), o.scalar(DataType.FLOAT, 1.0 / temperature)));
    }

    /** The generator in Java: element {@code index} of stream {@code stream} for {@code seed}, as the graph draws it. */
    public static float reference(long seed, int stream, long index) {
        long s = Math.floorMod(seed, P);
        long x = Math.floorMod(index * INDEX_MUL + s * SEED_MUL + 1 + stream * STREAM_MUL % P, P);
        for (long k : ROUND_KEYS) {
            long y = (x + k) % P;
            x = (y * y + s) % P;
        }
        return ((float) (x / 256) + 0.5f) * (1f / (1 << 23));
    }

    private static Value int64(Ops o, long v) {
        return o.constant(Tensor.ofLongs(new long[0], v));
    }

    /** x mod p, non-negative (integer Mod with fmod 0 takes the divisor's sign). */
    private static Value mod(Ops o, Value x, Value p) {
        return o.op("Mod", attrs("fmod", Attr.of(0L)), x, p);
    }
}

package dev.lathe.models.isp;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.Arrays;
import java.util.List;

/**
 * ISP's {@code HyperStructure} gate generator (the repository's {@code --hs True}, {@code Models/hypernet.py}): fixed
 * inputs [L, 1, 64] (orthogonal init, a parameter that never trains) run through a bidirectional GRU(64, 128) from a
 * zero state, one step per gated layer; each layer's 256 outputs go through LayerNorm(256) and ReLU and a bias-free
 * weight-normed Linear(256 -> C_l) (torch's weight_norm, dim 0: weight = g v / ||v|| per output row), and the per-layer
 * outputs concatenated are the logits theta [G]. The GRU is unrolled into plain ops with torch's equations and gate
 * order (r, z, n): r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z likewise,
 * n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1 - z) n + z h; the reverse direction reads the layers last to
 * first. Parameters carry the state_dict keys under
 * {@code hyper_net.}: {@code inputs}, {@code bn1.*}, {@code Bi_GRU.{weight,bias}_{ih,hh}_l0[_reverse]},
 * {@code mh_fc.<l>.weight_g|weight_v}.
 */
final class IspHyperStructure {
    static final long INPUT = 64;
    static final long HIDDEN = 128;
    private static final String GRU = IspSearch.HYPER_NET + ".Bi_GRU.";

    private IspHyperStructure() {}

    /** Adds the generator's parameters (torch's default initialisation, seeded) and returns theta [G]. */
    static Value theta(GraphBuilder b, IspSearch.Layout layout, long seed) {
        Nn nn = new Nn(b, seed);
        Ops o = b.ops();
        int layers = layout.layers();
        Value inputs = b.param(IspSearch.FIXED_INPUTS, orthogonal(nn.normal(1, layers, 1, INPUT)));
        Value lnWeight = b.param(IspSearch.HYPER_NET + ".bn1.weight", Nn.fill(1f, 2 * HIDDEN));
        Value lnBias = b.param(IspSearch.HYPER_NET + ".bn1.bias", Nn.fill(0f, 2 * HIDDEN));
        Value[] forward = gruParams(b, nn, "");
        Value[] reverse = gruParams(b, nn, "_reverse");
        Value[] g = new Value[layers];
        Value[] v = new Value[layers];
        double bound = 1 / Math.sqrt(2 * HIDDEN);
        for (int l = 0; l < layers; l++) {
            Tensor w = nn.uniform(bound, layout.widths()[l], 2 * HIDDEN); // nn.Linear's init, then weight_norm's split
            String name = IspSearch.HYPER_NET + ".mh_fc." + l + ".";
            g[l] = b.param(name + "weight_g", rowNorms(w));
            v[l] = b.param(name + "weight_v", w);
        }

        Value x = o.reshape(inputs, layers, INPUT);
        Value[] fwd = direction(o, x, layers, forward, false);
        Value[] rev = direction(o, x, layers, reverse, true);
        Value[] rows = new Value[layers];
        for (int t = 0; t < layers; t++) {
            rows[t] = o.concat(1, fwd[t], rev[t]);
        }
        Value h = o.relu(o.layerNorm(o.concat(0, rows), lnWeight, lnBias, -1, 1e-5f)); // [L, 256]
        List<Value> perLayer = o.split(h, 0, ones(layers));
        Value[] out = new Value[layers];
        for (int l = 0; l < layers; l++) {
            Value norm = o.sqrt(o.reduceSum(o.mul(v[l], v[l]), true, 1));
            out[l] = o.gemm(perLayer.get(l), o.mul(v[l], o.div(g[l], norm)), null, true); // [1, C_l]
        }
        return o.reshape(o.concat(1, out), -1);
    }

    /** weight_ih, weight_hh, bias_ih, bias_hh of one direction: uniform(+-1/sqrt(hidden)) as nn.GRU. */
    private static Value[] gruParams(GraphBuilder b, Nn nn, String suffix) {
        double bound = 1 / Math.sqrt(HIDDEN);
        return new Value[] {b.param(GRU + "weight_ih_l0" + suffix, nn.uniform(bound, 3 * HIDDEN, INPUT)),
            b.param(GRU + "weight_hh_l0" + suffix, nn.uniform(bound, 3 * HIDDEN, HIDDEN)),
            b.param(GRU + "bias_ih_l0" + suffix, nn.uniform(bound, 3 * HIDDEN)),
            b.param(GRU + "bias_hh_l0" + suffix, nn.uniform(bound, 3 * HIDDEN))};
    }

    /** One GRU direction over the rows of x [L, 64]: the hidden state [1, 128] after each row, in row order. */
    private static Value[] direction(Ops o, Value x, int layers, Value[] w, boolean reverse) {
        List<Value> inputGates = o.split(o.gemm(x, w[0], w[2], true), 0, ones(layers)); // W_i x + b_i, [1, 384] each
        Value h = o.constant(Tensor.zeros(DataType.FLOAT, 1, HIDDEN));
        Value one = o.scalar(DataType.FLOAT, 1);
        Value[] out = new Value[layers];
        for (int k = 0; k < layers; k++) {
            int t = reverse ? layers - 1 - k : k;
            List<Value> gi = o.split(inputGates.get(t), 1, HIDDEN, HIDDEN, HIDDEN);
            List<Value> gh = o.split(o.gemm(h, w[1], w[3], true), 1, HIDDEN, HIDDEN, HIDDEN);
            Value r = o.sigmoid(o.add(gi.get(0), gh.get(0)));
            Value z = o.sigmoid(o.add(gi.get(1), gh.get(1)));
            Value n = o.tanh(o.add(gi.get(2), o.mul(r, gh.get(2))));
            h = o.add(o.mul(o.sub(one, z), n), o.mul(z, h));
            out[t] = h;
        }
        return out;
    }

    /**
     * torch.nn.init.orthogonal_ on a tensor of draws: viewed as [dims[0], rest], the Q factor of its QR decomposition
     * (of the transpose when it is wide) with the signs of R's diagonal, so the rows (wide) or columns (tall) are
     * orthonormal. Modified Gram-Schmidt in double precision gives that Q directly (R's diagonal comes out positive).
     */
    static Tensor orthogonal(Tensor draws) {
        long[] dims = draws.dims();
        int rows = (int) dims[0];
        int cols = (int) (Tensor.numel(dims) / rows);
        boolean wide = rows < cols;
        int m = wide ? cols : rows; // the tall matrix's rows
        int n = wide ? rows : cols; // and columns, orthonormalised
        float[] a = draws.toFloats();
        double[][] q = new double[n][m];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                q[j][i] = wide ? a[j * cols + i] : a[i * cols + j];
            }
        }
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < m; i++) {
                    dot += q[k][i] * q[j][i];
                }
                for (int i = 0; i < m; i++) {
                    q[j][i] -= dot * q[k][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) {
                norm += q[j][i] * q[j][i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < m; i++) {
                q[j][i] /= norm;
            }
        }
        float[] out = new float[a.length];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                out[wide ? j * cols + i : i * cols + j] = (float) q[j][i];
            }
        }
        return Tensor.ofFloats(dims, out);
    }

    /** ||w_i|| per row of w [C, K], as [C, 1] (weight_norm's g at initialisation). */
    private static Tensor rowNorms(Tensor w) {
        long[] dims = w.dims();
        float[] a = w.toFloats();
        float[] out = new float[(int) dims[0]];
        for (int r = 0; r < out.length; r++) {
            double s = 0;
            for (int k = 0; k < dims[1]; k++) {
                double e = a[(int) (r * dims[1] + k)];
                s += e * e;
            }
            out[r] = (float) Math.sqrt(s);
        }
        return Tensor.ofFloats(new long[] {dims[0], 1}, out);
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        Arrays.fill(a, 1);
        return a;
    }
}

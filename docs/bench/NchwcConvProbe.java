import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Probe for the training-speed lead in docs/BENCHMARKS.md (training section): can a train step use ONNX Runtime's
 * NCHWc conv kernels although its weights are graph inputs? Runs one 3x3 conv (C -> C channels, pad 1) as a plain
 * {@code Conv} and as {@code com.microsoft.nchwc} ReorderInput -> Conv -> ReorderOutput with the weight fed as an
 * input already reordered to the blocked layout OIhw{B}i{B}o, checks both give the same output and prints the best of
 * 15 runs of each (2 intra-op threads, basic optimisation so ORT adds no layout changes of its own).
 *
 * <p>Usage, from the repository root with the CLI jar built:
 * {@code java -cp cli/target/lathe.jar docs/bench/NchwcConvProbe.java BLOCK CHANNELS SIZE BATCH}
 * (BLOCK = ORT's NCHWc block size: 16 with AVX-512, 8 with AVX2; a wrong block gives a large difference).
 */
public final class NchwcConvProbe {
    private NchwcConvProbe() {}

    public static void main(String[] args) throws Exception {
        int block = Integer.parseInt(args[0]);
        int c = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        int k = 3;
        Random r = new Random(1);
        float[] w = new float[c * c * k * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[] x = new float[n * c * size * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] blocked = new float[w.length]; // [O/B][I/B][kh*kw][B(i)][B(o)]
        int at = 0;
        for (int ob = 0; ob < c / block; ob++) {
            for (int ib = 0; ib < c / block; ib++) {
                for (int kk = 0; kk < k * k; kk++) {
                    for (int i = 0; i < block; i++) {
                        for (int o = 0; o < block; o++) {
                            blocked[at++] = w[((ob * block + o) * c + ib * block + i) * k * k + kk];
                        }
                    }
                }
            }
        }
        long[] xs = {n, c, size, size};
        long[] ws = {c, c, k, k};
        float[] plain = run("plain Conv", model(false, xs, ws), x, xs, w, ws);
        float[] nchwc = run("nchwc Conv", model(true, xs, ws), x, xs, blocked, ws);
        double max = 0;
        double scale = 0;
        for (int i = 0; i < plain.length; i++) {
            max = Math.max(max, Math.abs(plain[i] - nchwc[i]));
            scale = Math.max(scale, Math.abs(plain[i]));
        }
        System.out.printf("max |plain - nchwc| = %.3g (largest |output| %.3g)%n", max, scale);
    }

    private static float[] run(String label, byte[] model, float[] x, long[] xs, float[] w, long[] ws)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
            so.setIntraOpNumThreads(2);
            try (OrtSession s = env.createSession(model, so);
                 OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), xs);
                 OnnxTensor wt = OnnxTensor.createTensor(env, FloatBuffer.wrap(w), ws)) {
                Map<String, OnnxTensor> feeds = Map.of("x", xt, "w", wt);
                long best = Long.MAX_VALUE;
                for (int it = 0; it < 15; it++) {
                    long t0 = System.nanoTime();
                    try (OrtSession.Result ignored = s.run(feeds)) {
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                }
                System.out.printf("%s: best of 15 %.2f ms%n", label, best / 1e6);
                try (OrtSession.Result res = s.run(feeds)) {
                    FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                    float[] out = new float[fb.remaining()];
                    fb.get(out);
                    return out;
                }
            }
        }
    }

    private static byte[] model(boolean nchwc, long[] xs, long[] ws) throws Exception {
        Graph g = new Graph("nchwc_probe");
        Value x = g.addInput(new Value("x", TensorType.of(DataType.FLOAT, xs)));
        Value w = g.addInput(new Value("w", TensorType.of(DataType.FLOAT, ws)));
        Map<String, Attr> conv = new LinkedHashMap<>();
        conv.put("kernel_shape", Attr.of(ws[2], ws[3]));
        conv.put("pads", Attr.of(1L, 1L, 1L, 1L));
        Value y;
        if (nchwc) {
            Value xr = node(g, "ReorderInput", List.of(x), Map.of(), "x_nchwc");
            Value yc = node(g, "Conv", List.of(xr, w), conv, "y_nchwc");
            y = node(g, "ReorderOutput", List.of(yc), Map.of("channels", Attr.of(ws[0])), "y");
        } else {
            y = new Value("y", null);
            Node n = new Node("", "Conv", "conv", List.of(x, w), List.of(y));
            conv.forEach(n::attr);
            g.addNode(n);
        }
        y.setType(TensorType.of(DataType.FLOAT, xs[0], ws[0], xs[2], xs[3]));
        g.addOutput(y);
        Model m = new Model(g);
        m.opsetImports().put("", 17L);
        m.opsetImports().put("com.microsoft.nchwc", 1L);
        return Onnx.toBytes(m);
    }

    private static Value node(Graph g, String op, List<Value> in, Map<String, Attr> attrs, String out) {
        Value v = new Value(out, null);
        Node n = new Node("com.microsoft.nchwc", op, out, in, List.of(v));
        attrs.forEach(n::attr);
        g.addNode(n);
        return v;
    }
}

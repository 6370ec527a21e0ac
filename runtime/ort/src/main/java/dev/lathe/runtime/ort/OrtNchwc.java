package dev.lathe.runtime.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
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
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * ONNX Runtime's NCHWc CPU kernels for convolutions with run-time weights (see {@link NchwcConvRewrite}). The block
 * size is MLAS's, which depends on the CPU (16 with AVX-512, 8 with AVX2, none elsewhere) and is not exposed by the
 * Java API, so it is found once per process by running a 3x3 Conv both ways and keeping the block whose result
 * matches. {@code LATHE_NCHWC=0} in the environment turns the rewrite off (for A/B timing).
 */
public final class OrtNchwc {
    private static final long[] CANDIDATES = {16, 8};
    private static volatile Long block;

    private OrtNchwc() {}

    /** ORT's NCHWc block on this machine, or 0 when its blocked kernels are absent or disabled. */
    public static long blockSize() {
        Long b = block;
        if (b == null) {
            synchronized (OrtNchwc.class) {
                if (block == null) {
                    block = "0".equals(System.getenv("LATHE_NCHWC")) ? 0L : detect();
                }
                b = block;
            }
        }
        return b;
    }

    /** {@link #cpuSessionBytes(Model, byte[], String)} of the model as it is. */
    public static byte[] cpuSessionBytes(Model model, String label) {
        return cpuSessionBytes(model, Onnx.toBytes(model), label);
    }

    /**
     * {@code bytes} (the serialized {@code model}) for a CPU session, its run-time-weight Convs on the NCHWc kernels
     * when the machine has an NCHWc block (the rewrite works on a copy parsed from the bytes; {@code model} is left as
     * it is). Models whose Conv weights are all initializers, as inference models' are, are returned unparsed.
     */
    public static byte[] cpuSessionBytes(Model model, byte[] bytes, String label) {
        if (!hasRunTimeConvWeights(model)) {
            return bytes;
        }
        long b = blockSize();
        if (b == 0) {
            return bytes;
        }
        Model copy = Onnx.fromBytes(bytes, label);
        return new NchwcConvRewrite(b, NchwcConvRewrite.MIN_OUTPUT_PIXELS).apply(copy).modified()
                ? Onnx.toBytes(copy) : bytes;
    }

    private static boolean hasRunTimeConvWeights(Model model) {
        for (Node n : model.graph().nodes()) {
            if (n.opType().equals("Conv") && n.inputs().size() > 1 && n.input(1) != null
                    && !n.input(1).isInitializer()) {
                return true;
            }
        }
        return false;
    }

    private static long detect() {
        for (long b : CANDIDATES) {
            try {
                if (matches(b)) {
                    return b;
                }
            } catch (OrtException | RuntimeException e) {
                // this ORT build has no NCHWc kernels (or not this block): try the next, else run without
            }
        }
        return 0;
    }

    /** Whether the block-{@code b} rewrite of a [1, 2b, 5, 5] 3x3 Conv reproduces the plain Conv. */
    private static boolean matches(long b) throws OrtException {
        long c = 2 * b;
        long[] xs = {1, c, 5, 5};
        long[] ws = {c, c, 3, 3};
        Model plain = probe(xs, ws);
        Model blocked = probe(xs, ws);
        if (!new NchwcConvRewrite(b, 0).apply(blocked).modified()) {
            return false;
        }
        Random r = new Random(7);
        float[] x = new float[(int) (c * 25)];
        float[] w = new float[(int) (c * c * 9)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[] expected = run(plain, x, xs, w, ws);
        float[] actual = run(blocked, x, xs, w, ws);
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-3 * (1 + Math.abs(expected[i]))) {
                return false;
            }
        }
        return true;
    }

    private static Model probe(long[] xs, long[] ws) {
        Graph g = new Graph("nchwc_probe");
        Value x = g.addInput(new Value("x", TensorType.of(DataType.FLOAT, xs)));
        Value w = g.addInput(new Value("w", TensorType.of(DataType.FLOAT, ws)));
        Value y = new Value("y", TensorType.of(DataType.FLOAT, xs[0], ws[0], xs[2], xs[3]));
        Node conv = new Node("", "Conv", "conv", List.of(x, w), List.of(y));
        conv.attr("kernel_shape", Attr.of(ws[2], ws[3]));
        conv.attr("pads", Attr.of(1L, 1L, 1L, 1L));
        g.addNode(conv);
        g.addOutput(y);
        Model m = new Model(g);
        m.opsetImports().put("", 17L);
        return m;
    }

    private static float[] run(Model m, float[] x, long[] xs, float[] w, long[] ws) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(Onnx.toBytes(m), so);
                 OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), xs);
                 OnnxTensor wt = OnnxTensor.createTensor(env, FloatBuffer.wrap(w), ws);
                 OrtSession.Result res = s.run(Map.of("x", xt, "w", wt))) {
                FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        }
    }
}

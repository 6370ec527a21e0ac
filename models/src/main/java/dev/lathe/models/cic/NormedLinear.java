package dev.lathe.models.cic;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Value;

/**
 * CIC's cosine classifier: weight stored {@code [in, out]} (transposed against nn.Linear), no bias,
 * {@code y = normalize(x, dim=1) @ normalize(W, dim=0)} with F.normalize's {@code v / max(||v||_2, 1e-12)}.
 * The weight is normalised in the graph, not at build time, so a checkpoint's raw weight binds unchanged.
 */
public final class NormedLinear {
    private static final float EPS = 1e-12f;

    private NormedLinear() {}

    public static Value apply(Nn nn, String name, Value x, long out) {
        GraphBuilder b = nn.builder();
        long in = x.shape().get(1).size();
        try (var s = b.scope(name)) {
            // the repository's uniform(-1,1).renorm_ init only fixes column norms, which normalisation removes
            Value w = b.param("weight", nn.uniform(1.0, in, out));
            return b.ops().matMul(normalize(b, x, 1), normalize(b, w, 0));
        }
    }

    private static Value normalize(GraphBuilder b, Value v, long axis) {
        Value norm = b.ops().max(b.ops().reduceL2(v, true, axis), b.scalar(EPS));
        return b.ops().div(v, norm);
    }
}

package dev.lathe.cli.isp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.ZooConfig;
import dev.lathe.models.isp.CifarResNet56;
import dev.lathe.models.isp.IspFlops;
import dev.lathe.models.isp.IspGraphs;
import dev.lathe.models.isp.IspSearch;
import dev.lathe.graph.train.TrainStep;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hard gate vector of a search, cut by the existing surgery from a keep-mask plan: the cut ResNet-56 gives the
 * gated classifier's logits (noise-free hard gates) to relative error 1e-5, and its MAC ratio is the search's
 * differentiable count within 0.5 points.
 */
class IspPruneTest {

    @Test
    void cutModelEqualsTheHardGatedClassifier() throws Exception {
        Model classifier = CifarResNet56.build("cifar_resnet56", new ZooConfig(10, 32, 3));
        IspGraphs.Spec spec = IspPipeline.spec(classifier, 1, false);
        assertEquals(9, spec.blocks());
        Model gated = IspSearch.search(spec, IspSearch.GateMode.DECISION, 0);
        IspPipeline.copyWeights(classifier, gated, "", true);
        IspSearch.Layout layout = IspSearch.Layout.resNet(9);
        Random rng = new Random(7);
        float[][] logits = new float[layout.layers()][];
        for (int l = 0; l < layout.layers(); l++) {
            logits[l] = new float[(int) layout.widths()[l]];
            for (int i = 0; i < logits[l].length; i++) {
                logits[l][i] = (float) (rng.nextGaussian() * 3 - 1); // about a quarter below -3
            }
            gated.graph().initializer(IspSearch.HYPER + "." + l + ".weight")
                    .setConstValue(Tensor.ofFloats(new long[] {logits[l].length}, logits[l]));
        }
        boolean[][] keep = IspPipeline.atLeastOne(IspPipeline.decision(logits), logits);
        IspPipeline.Pruned p = IspPipeline.cut(classifier, layout.convs(), keep, "test");
        assertTrue(p.plan().removedChannels() > 100, "removed " + p.plan().removedChannels());

        float[] x = new float[4 * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] want = run(gated, x, true);
        float[] got = run(p.model(), x, false);
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (want[i] - got[i]) * (double) (want[i] - got[i]);
            norm += want[i] * (double) want[i];
        }
        assertTrue(Math.sqrt(diff / norm) <= 1e-5, "relative error " + Math.sqrt(diff / norm));
        double predicted = IspFlops.macs(9, 32, p.macsBefore()).ratio(keep);
        assertEquals(predicted, p.keptRatio(), 0.005, "the search's MAC count is the cut model's");
    }

    private static float[] run(Model m, float[] x, boolean labels) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(Onnx.toBytes(m), new OrtSession.SessionOptions());
             OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {4, 3, 32, 32});
             OnnxTensor yt = OnnxTensor.createTensor(env, new long[] {0, 1, 2, 3})) {
            Map<String, OnnxTensor> in = labels ? Map.of(ModelInputs.INPUT, xt, TrainStep.LABELS, yt)
                    : Map.of(ModelInputs.INPUT, xt);
            try (OrtSession.Result r = s.run(in, java.util.Set.of(ModelInputs.OUTPUT))) {
                return copy(((OnnxTensor) r.get(0)).getFloatBuffer());
            }
        }
    }

    private static float[] copy(FloatBuffer b) {
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }
}

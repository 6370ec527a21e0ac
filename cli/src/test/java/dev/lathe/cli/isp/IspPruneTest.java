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
import dev.lathe.models.isp.CifarMobileNetV2;
import dev.lathe.models.isp.CifarResNet56;
import dev.lathe.models.isp.IspFlops;
import dev.lathe.models.isp.IspGraphs;
import dev.lathe.models.isp.IspSearch;
import dev.lathe.graph.train.TrainStep;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hard gate vector of a search, cut by the existing surgery from a keep-mask plan: the cut ResNet-56 (block inner
 * channels) and CIFAR MobileNetV2 (expanded hidden channels, through the depthwise conv) give the gated classifier's
 * logits (noise-free hard gates) to relative error 1e-5, and its MAC ratio is the search's
 * differentiable count within 0.5 points.
 */
class IspPruneTest {

    @ParameterizedTest
    @ValueSource(strings = {"cifar_resnet56", "cifar_mobilenet_v2"})
    void cutModelEqualsTheHardGatedClassifier(String name) throws Exception {
        ZooConfig config = new ZooConfig(10, 32, 3);
        Model classifier = name.equals("cifar_resnet56") ? CifarResNet56.build(name, config)
                : CifarMobileNetV2.build(name, config);
        IspGraphs.Spec spec = IspPipeline.spec(classifier, 1, false);
        assertEquals(name.equals("cifar_resnet56") ? IspGraphs.Arch.RESNET : IspGraphs.Arch.MOBILENET_V2, spec.arch());
        randomizeBatchNorms(classifier);
        Model gated = IspSearch.search(spec, IspSearch.GateMode.DECISION, IspSearch.GateGenerator.SIMPLE, 0);
        IspPipeline.copyWeights(classifier, gated, "", true);
        IspSearch.Layout layout = IspSearch.Layout.of(spec);
        Random rng = new Random(7);
        float[][] logits = new float[layout.layers()][];
        for (int l = 0; l < layout.layers(); l++) {
            logits[l] = new float[(int) layout.widths()[l]];
            for (int i = 0; i < logits[l].length; i++) {
                logits[l][i] = (float) (rng.nextGaussian() * 3 - 1); // about a quarter below -3
            }
            gated.graph().initializer(IspSearch.P_LIST + "." + l + ".weight")
                    .setConstValue(Tensor.ofFloats(new long[] {logits[l].length}, logits[l]));
        }
        boolean[][] keep = IspGateSearch.atLeastOne(IspGateSearch.decision(logits), logits);
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
        double predicted = IspFlops.macs(spec, p.macsBefore()).ratio(keep);
        assertEquals(predicted, p.keptRatio(), 0.005, "the search's MAC count is the cut model's");
    }

    /** BN statistics away from (0, 1), so a wrongly kept or dropped channel shows in the logits. */
    private static void randomizeBatchNorms(Model m) {
        Random rng = new Random(11);
        for (var init : m.graph().initializers().values()) {
            String n = init.name();
            if (n.endsWith("running_mean") || n.endsWith("running_var") || (n.contains("bn") && n.endsWith("bias"))) {
                float[] v = init.constValue().toFloats();
                for (int i = 0; i < v.length; i++) {
                    v[i] = n.endsWith("running_var") ? 0.5f + rng.nextFloat() : (float) (rng.nextGaussian() * 0.2);
                }
                init.setConstValue(Tensor.ofFloats(init.constValue().dims(), v));
            }
        }
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

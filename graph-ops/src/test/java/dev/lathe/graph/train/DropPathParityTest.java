package dev.lathe.graph.train;

import static dev.lathe.graph.train.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Drop path against timm's own drop_path given the same masks (fixture from
 * src/test/resources/autodiff/drop_path/generate.py, which runs timm 0.6.13's drop.py with the masks Lathe's graph
 * draws): loss, and every parameter's gradient, within 1e-6 relative (float32 convs in ORT and PyTorch).
 */
class DropPathParityTest {
    private static final long SEED = 1234567;

    static Model net(Fixture fx) {
        GraphBuilder b = new GraphBuilder("drop_path_net", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 2, 3, 3);
        Value w0 = b.param("w0", fx.get("param:w0"));
        Value p1 = b.param("p1", fx.get("param:p1"));
        Value w2 = b.param("w2", fx.get("param:w2"));
        Value fw = b.param("fc.weight", fx.get("param:fc.weight"));
        Value fb = b.param("fc.bias", fx.get("param:fc.bias"));
        Value h = DropPath.mark(b.ops().add(x, b.ops().conv(x, w0, null, ConvAttrs.same(3))), 1, "b0");
        h = DropPath.mark(b.ops().add(h, b.ops().mul(h, p1)), 1, "b1");
        h = DropPath.mark(b.ops().add(b.ops().conv(h, w2, null, ConvAttrs.same(3)), h), 0, "b2");
        Value pooled = b.ops().reduceMean(h, false, 2, 3);
        b.output(b.ops().gemm(pooled, fw, fb, true), "logits");
        return b.build();
    }

    @Test
    void forwardAndGradientsEqualTimmsDropPathGivenTheSameMasks() throws Exception {
        Fixture fx = new Fixture("/autodiff/drop_path");
        // the masks the generator computed from its restatement of RandomDraws are the ones Lathe draws
        for (int k = 1; k <= 2; k++) {
            float[] expected = fx.get("mask" + k).toFloats();
            float[] drawn = new float[4];
            for (int i = 0; i < 4; i++) {
                drawn[i] = DropPath.keepDraw(SEED, k, i, 0.3 * k);
            }
            assertArrayEquals(expected, drawn, "mask of join " + k);
        }
        Model forward = net(fx);
        TrainStep step = TrainStepBuilder.build(forward, TrainConfig.of(new Loss.CrossEntropy(0),
                new Optimizer.Sgd(0, false, 0), 4).withDropPath(0.6).withGradientOutputs());
        long masks = step.train().graph().nodes().stream().filter(n -> n.opType().equals("Floor")).count();
        assertEquals(2, masks, "b0's rate is 0 under the linear rule: no mask there");
        assertTrue(step.eval().graph().nodes().stream().noneMatch(n -> n.opType().equals("Floor")), "eval: no drop");
        Map<String, Tensor> in = new HashMap<>();
        in.put("x", fx.get("x"));
        in.put(TrainStep.LABELS, fx.get("y"));
        in.put(TrainStep.LR, Tensor.ofFloats(new long[0], 0f));
        in.put(TrainStep.SEED, Tensor.ofLongs(new long[0], SEED));
        for (String p : step.params().keySet()) {
            in.put(p, step.params().get(p));
        }
        Map<String, float[]> out = OrtParity.runFloats(step.train(), in, OrtParity.Settings.DEPLOYED);
        assertClose("loss", fx.get("loss"), out.get(TrainStep.LOSS), 1e-6);
        for (String p : step.params().keySet()) {
            assertClose("grad " + p, fx.get("grad:" + p), out.get(p + ".grad"), 1e-6);
        }
        // another seed draws other masks, so the loss changes
        in.put(TrainStep.SEED, Tensor.ofLongs(new long[0], SEED + 1));
        float other = OrtParity.runFloats(step.train(), in, OrtParity.Settings.DEPLOYED).get(TrainStep.LOSS)[0];
        assertTrue(other != fx.get("loss").toFloats()[0], "seed " + (SEED + 1) + " gives loss " + other);
    }

    @Test
    void linearRuleAndErrors() {
        Fixture fx;
        try {
            fx = new Fixture("/autodiff/drop_path");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertArrayEquals(new double[] {0, 0.3, 0.6}, DropPath.rates(DropPath.joins(net(fx).graph()), 0.6), 1e-12);
        GraphBuilder b = new GraphBuilder("plain", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 2);
        b.output(b.ops().gemm(x, b.param("w", Tensor.ofFloats(new long[] {3, 2}, new float[6])), null, true),
                "logits");
        Model plain = b.build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainStepBuilder.build(plain,
                TrainConfig.of(new Loss.CrossEntropy(0), new Optimizer.Sgd(0, false, 0), 2).withDropPath(0.1)));
        assertTrue(e.getMessage().contains("marks no residual branches"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.of(new Loss.CrossEntropy(0),
                new Optimizer.Sgd(0, false, 0), 2).withDropPath(1.0));
    }
}

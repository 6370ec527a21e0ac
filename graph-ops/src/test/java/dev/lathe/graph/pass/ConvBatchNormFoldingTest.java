package dev.lathe.graph.pass;

import static dev.lathe.graph.pass.OrtHarness.assertClose;
import static dev.lathe.graph.pass.OrtHarness.histogram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConvBatchNormFoldingTest {
    /** BN folding changes float32 rounding: outputs must agree within 1e-5 relative (plus 1e-6 absolute near 0). */
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-6;

    /** BatchNormalization with non-trivial running statistics, as after training. */
    static Value trainedBn(GraphBuilder b, String name, Value x, long c, long seed) {
        Random r = new Random(seed);
        float[] scale = new float[(int) c];
        float[] shift = new float[(int) c];
        float[] mean = new float[(int) c];
        float[] var = new float[(int) c];
        for (int i = 0; i < c; i++) {
            scale[i] = (float) (0.5 + r.nextDouble());
            shift[i] = (float) r.nextGaussian();
            mean[i] = (float) (0.3 * r.nextGaussian());
            var[i] = (float) (0.2 + r.nextDouble() * 2);
        }
        long[] d = {c};
        try (var s = b.scope(name)) {
            return b.ops().batchNorm(x, b.param("weight", Tensor.ofFloats(d, scale)),
                    b.param("bias", Tensor.ofFloats(d, shift)), b.param("running_mean", Tensor.ofFloats(d, mean)),
                    b.param("running_var", Tensor.ofFloats(d, var)), 1e-3f);
        }
    }

    static Model convBnNet() {
        GraphBuilder b = new GraphBuilder("convbn", 17);
        Nn nn = new Nn(b, 11);
        Value x = b.input("x", DataType.FLOAT, "N", 3, 10, 10);
        x = b.ops().relu(trainedBn(b, "bn1", nn.conv2d("conv1", x, 8, ConvAttrs.of(3, 2, 1), false), 8, 1));
        x = b.ops().relu(trainedBn(b, "bn2", nn.conv2d("conv2", x, 8, ConvAttrs.same(3).withGroups(8), true), 8, 2));
        // the last BatchNormalization produces the graph output: the Conv must take over its name
        b.output(trainedBn(b, "bn3", nn.conv2d("conv3", x, 6, ConvAttrs.same(1), true), 6, 3), "features");
        return b.build();
    }

    @Test
    void foldsEveryConvBatchNormPairWithinTolerance() throws Exception {
        Model m = convBnNet();
        Map<String, Tensor> in = OrtHarness.gaussian("x", 3, 2, 3, 10, 10);
        Map<String, Tensor> before = OrtHarness.run(m, in);
        List<String> convNames = m.graph().nodes().stream().filter(n -> n.opType().equals("Conv"))
                .map(Node::name).toList();

        ConvBatchNormFolding pass = new ConvBatchNormFolding();
        PassResult r = PassRunner.of("fold", pass, new DeadCodeElimination()).checkingWellFormed().apply(m);

        assertTrue(r.modified());
        assertEquals(List.of(), pass.rejections());
        assertEquals(Map.of("Conv", 3, "Relu", 2), histogram(m));
        assertEquals(convNames, m.graph().nodes().stream().filter(n -> n.opType().equals("Conv"))
                .map(Node::name).toList(), "Conv nodes keep their names");
        Node conv1 = m.graph().nodes().get(0);
        assertEquals("conv1.weight", conv1.input(1).name(), "the folded weight takes the retired weight's name");
        assertEquals("conv1.bias", conv1.input(2).name(), "a Conv without bias gains one");
        assertNotNull(m.graph().initializer("conv3.bias"));
        assertEquals(Set.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight",
                "conv3.bias"), m.graph().initializers().keySet(), "BN parameters and unfolded weights are gone");
        assertEquals("features", m.graph().outputs().get(0).name());
        assertEquals("Conv", m.graph().outputs().get(0).producer().opType());
        assertClose(before, OrtHarness.run(m, in), RTOL, ATOL);
    }

    @Test
    void checkGivesAReasonForEachUnfoldablePair() throws Exception {
        GraphBuilder b = new GraphBuilder("nofold", 17);
        Nn nn = new Nn(b, 5);
        Value x = b.input("x", DataType.FLOAT, 1, 4, 6, 6);
        Value scaleInput = b.input("gamma", DataType.FLOAT, 4);

        Value shared = nn.conv2d("shared", x, 4, ConvAttrs.same(3), false); // read by BN and by Add
        Value bnShared = trainedBn(b, "bnShared", shared, 4, 1);
        Value y = b.ops().add(bnShared, shared);

        Value c2 = nn.conv2d("c2", y, 4, ConvAttrs.same(1), false);
        Value bnInput;
        try (var s = b.scope("bnInput")) {
            bnInput = b.ops().batchNorm(c2, scaleInput, b.param("bias", Tensor.zeros(DataType.FLOAT, 4)),
                    b.param("mean", Tensor.zeros(DataType.FLOAT, 4)), b.param("var", Nn.fill(1f, 4)), 1e-5f);
        }
        Value c3 = nn.conv2d("c3", bnInput, 4, ConvAttrs.same(1), false);
        Value bnTrain = trainedBn(b, "bnTrain", c3, 4, 2);
        bnTrain.producer().attr("training_mode", Attr.of(1L));
        b.output(b.ops().relu(bnTrain), "out");
        Model m = b.build();

        assertTrue(ConvBatchNormFolding.check(bnShared.producer()).reason().contains("only consumer"));
        assertTrue(ConvBatchNormFolding.check(bnInput.producer()).reason()
                .contains("scale 'gamma' is not a constant"));
        assertTrue(ConvBatchNormFolding.check(bnTrain.producer()).reason().contains("training_mode=1"));

        ConvBatchNormFolding pass = new ConvBatchNormFolding();
        assertFalse(pass.apply(m).modified());
        assertEquals(List.of("bnShared/BatchNormalization", "bnInput/BatchNormalization",
                "bnTrain/BatchNormalization"), pass.rejections().stream()
                .map(ConvBatchNormFolding.Rejection::batchNormNode).toList());
        assertEquals(3, histogram(m).get("BatchNormalization"));
    }
}

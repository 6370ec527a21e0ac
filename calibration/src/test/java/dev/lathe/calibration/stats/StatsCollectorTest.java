package dev.lathe.calibration.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.calibration.data.DatasetSamples;
import dev.lathe.calibration.quant.QdqPlan;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.SyntheticDataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StatsCollectorTest {

    /** y = relu(conv(x)) + x on [N,3,8,8]: a residual block, the shape calibration cares about. */
    static Model residualBlock() {
        GraphBuilder b = new GraphBuilder("block", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 3, 8, 8);
        float[] w = new float[3 * 3 * 3 * 3];
        Random r = new Random(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.3f;
        }
        Value conv = b.ops().conv(x, b.param("w", Tensor.ofFloats(new long[] {3, 3, 3, 3}, w)), null,
                ConvAttrs.same(3));
        Value relu = b.ops().relu(conv);
        b.output(b.ops().add(relu, x), "y");
        return b.build();
    }

    private static Session open(Model m, List<String> tensors) {
        return Runtimes.get("ort-cpu").open(ModelSource.of(m),
                SessionConfig.defaults().withThreads(1, 1).withExposedIntermediates(tensors));
    }

    private static List<HostTensor> batches(int n) {
        List<HostTensor> out = new ArrayList<>();
        new DatasetSamples(new SyntheticDataset(4, 3, 8, 10, 1, 5, 1), n, 6, 11).forEachBatch(out::add);
        return out;
    }

    @Test
    void defaultTargetsAreInputsOfConvAndAddAndTheGraphEnds() {
        Model m = residualBlock();
        List<String> t = QdqPlan.calibrationTensors(m);
        String relu = m.graph().nodes().stream().filter(n -> n.opType().equals("Relu")).findFirst().orElseThrow()
                .output(0).name();
        assertEquals(List.of("x", relu, "y"), t, "weights are not activations; x feeds both Conv and Add once");
    }

    @Test
    void collectsEveryTensorOncePerBatchAndShardsMergeExactly() throws IOException {
        Model m = residualBlock();
        List<String> targets = QdqPlan.calibrationTensors(m);
        List<HostTensor> data = batches(40);
        assertEquals(7, data.size(), "40 samples in batches of 6");
        try (Session s = open(m, targets)) {
            StatsCollector one = new StatsCollector(s, targets, Map.of());
            data.forEach(one::add);
            assertEquals(40, one.samples());
            TensorStats x = one.stats().get("x");
            assertEquals(40L * 3 * 8 * 8, x.count());
            TensorStats relu = one.stats().get(targets.get(1));
            assertTrue(relu.min() >= 0, "relu outputs are never negative: " + relu.min());
            TensorStats direct = TensorStats.empty();
            for (HostTensor b : data) {
                direct = direct.merge(TensorStats.of(b.toFloats(), direct.histogram().width()));
            }
            assertEquals(direct, x, "the input's statistics are those of the batches themselves");

            StatsCollector first = new StatsCollector(s, targets, Map.of());
            data.subList(0, 3).forEach(first::add);
            StatsCollector second = new StatsCollector(s, targets, StatsCollector.binWidths(first.stats()));
            data.subList(3, 7).forEach(second::add);
            for (String t : targets) {
                assertEquals(one.stats().get(t), first.stats().get(t).merge(second.stats().get(t)), t);
            }
        }
    }

    @Test
    void aBatchTheHistogramCannotHoldNamesTheTensor() {
        Model m = residualBlock();
        List<String> targets = QdqPlan.calibrationTensors(m);
        try (Session s = open(m, targets)) {
            StatsCollector c = new StatsCollector(s, targets, Map.of());
            HostTensor first = batches(6).get(0);
            c.add(first);
            float[] far = first.toFloats();
            far[0] = 1e9f;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.add(HostTensor.ofFloats(first.shape(), far)));
            assertTrue(e.getMessage().startsWith("tensor x: values span"), e.getMessage());
        }
    }

    @Test
    void aTensorTheSessionDoesNotOutputIsNamed() {
        Model m = residualBlock();
        List<String> targets = QdqPlan.calibrationTensors(m);
        try (Session s = open(m, List.of())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new StatsCollector(s, targets, Map.of()));
            assertTrue(e.getMessage().contains(targets.get(1)), e.getMessage());
        }
    }
}

package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.train.Accuracy;
import dev.lathe.runtime.train.Evaluation;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Evaluation through a Session: shards evaluated apart and merged give exactly the counts of one pass. */
class OrtEvaluationTest {

    private static Model classifier(int classes) {
        GraphBuilder b = new GraphBuilder("eval_net", 17);
        Nn nn = new Nn(b, 3);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 16, 16);
        x = b.ops().relu(nn.conv2d("conv1", x, 8, ConvAttrs.of(3, 2, 1), true));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), classes, true), "logits");
        return b.build();
    }

    /** Images [from, to) of {@code d}. */
    private static Dataset shard(Dataset d, int from, int to) {
        return new Dataset() {
            @Override
            public int size() {
                return to - from;
            }

            @Override
            public int numClasses() {
                return d.numClasses();
            }

            @Override
            public long[] imageShape() {
                return d.imageShape();
            }

            @Override
            public int label(int index) {
                return d.label(from + index);
            }

            @Override
            public void fill(int index, FloatBuffer dst) {
                d.fill(from + index, dst);
            }
        };
    }

    @Test
    void mergedShardsEqualOnePass() {
        int classes = 6;
        SyntheticDataset data = new SyntheticDataset(classes, 3, 16, 9, 1, 2, 1);
        try (Session s = OrtRuntime.cpu().open(ModelSource.of(classifier(classes)),
                SessionConfig.defaults().withThreads(1, 1))) {
            Accuracy whole = Evaluation.run(s, data, 16);
            int[] cuts = {0, 5, 23, 24, data.size()};
            Accuracy merged = Accuracy.empty(classes);
            for (int i = 0; i + 1 < cuts.length; i++) {
                merged = merged.merge(Evaluation.run(s, shard(data, cuts[i], cuts[i + 1]), 7));
            }
            assertEquals(whole, merged);
            assertArrayEquals(whole.top1Hits(), merged.top1Hits());
            assertEquals(data.size(), whole.totalImages());
            assertTrue(whole.top5() >= whole.top1());
        }
    }
}

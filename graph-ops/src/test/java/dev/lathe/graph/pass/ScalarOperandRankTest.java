package dev.lathe.graph.pass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.validate.ModelValidator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalarOperandRankTest {

    @Test
    void scalarOperandsTakeTheTensorsRankAndResultsStayBitIdentical() throws Exception {
        GraphBuilder b = new GraphBuilder("sgd", 17);
        Value w = b.input("w", DataType.FLOAT, 8, 4, 1, 1);
        Value lr = b.input("lr", DataType.FLOAT);
        Value decay = b.param("decay", Tensor.scalar(0.1f));
        Value one = b.param("one", Tensor.ofFloats(new long[] {1}, 1f));
        Value decayed = b.ops().mul(w, decay);
        Value step = b.ops().mul(b.ops().add(decayed, one), lr);
        b.output(b.ops().sub(w, step), "w_next");
        b.output(b.ops().mul(lr, decay), "lr_decay"); // scalar with scalar: nothing to widen
        Model m = b.build();
        ShapeInference.inferGraph(m.graph(), 17);

        Map<String, Tensor> in = new HashMap<>(OrtHarness.gaussian("w", 3, 8, 4, 1, 1));
        in.put("lr", Tensor.scalar(0.5f));
        Map<String, Tensor> before = OrtHarness.run(m, in);

        assertTrue(new ScalarOperandRank().apply(m).modified());

        ModelValidator.requireWellFormed(m.graph());
        for (Node n : m.graph().nodes()) {
            if (!n.opType().equals("Reshape") && n.output(0).shape().rank() == 4) {
                for (Value v : n.inputs()) {
                    assertEquals(4, v.shape().rank(), n + " input " + v.name());
                }
            }
        }
        assertEquals(1, OrtHarness.histogram(m).get("Reshape")); // lr once, shared by its rank-4 users
        assertArrayEquals(new long[] {1, 1, 1, 1}, m.graph().nodes().stream()
                .filter(n -> n.opType().equals("Reshape")).findFirst().orElseThrow().output(0).shape().toArray());
        OrtHarness.assertSame(before, OrtHarness.run(m, in)); // same arithmetic, only the broadcast shape changed
        assertFalse(m.graph().initializers().containsKey("one")); // widened and left unused: dropped
        assertFalse(new ScalarOperandRank().apply(m).modified());
    }
}

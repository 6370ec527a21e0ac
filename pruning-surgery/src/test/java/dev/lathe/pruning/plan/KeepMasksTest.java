package dev.lathe.pruning.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.pruning.Pruner;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keep masks to a plan: the removed channels of each named conv, replayed by the surgery; bad masks named. */
class KeepMasksTest {
    /** conv1-BN-ReLU-conv2-BN + input (residual: conv2's channels are coupled to the input's, not prunable). */
    private static Model net() {
        GraphBuilder b = new GraphBuilder("keep", 17);
        Nn nn = new Nn(b, 1);
        Value x = b.input("x", DataType.FLOAT, 1L, 4L, 8L, 8L);
        Value y = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 6, ConvAttrs.of(3, 1, 1), false)));
        y = nn.batchNorm2d("bn2", nn.conv2d("conv2", y, 4, ConvAttrs.of(3, 1, 1), false));
        b.output(b.ops().relu(b.ops().add(y, x)), "y");
        return b.build();
    }

    @Test
    void masksBecomeAReplayablePlan() {
        Model m = net();
        boolean[] keep = {true, false, true, false, false, true};
        PruningPlan plan = KeepMasks.plan(m, Map.of("conv1.weight", keep), "isp", "test");
        assertEquals(3, plan.removedChannels());
        assertArrayEquals(new int[] {1, 3, 4}, plan.groups().get(0).removed());
        Pruner.Result r = Pruner.replay(m, plan, Set.of());
        assertArrayEquals(new long[] {3, 4, 3, 3}, m.graph().initializer("conv1.weight").constValue().dims());
        assertArrayEquals(new long[] {4, 3, 3, 3}, m.graph().initializer("conv2.weight").constValue().dims());
        assertTrue(r.after().macs() < r.before().macs());
    }

    @Test
    void badMasksAreNamed() {
        Model m = net();
        var e = assertThrows(IllegalArgumentException.class,
                () -> KeepMasks.plan(m, Map.of("conv9.weight", new boolean[6]), "isp", ""));
        assertTrue(e.getMessage().contains("conv9.weight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> KeepMasks.plan(m, Map.of("conv1.weight", new boolean[5]), "isp", ""));
        assertTrue(e.getMessage().contains("5 entries") && e.getMessage().contains("6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> KeepMasks.plan(m, Map.of("conv1.weight", new boolean[6]), "isp", ""));
        assertTrue(e.getMessage().contains("removes every channel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KeepMasks.plan(m,
                Map.of("conv2.weight", new boolean[] {true, true, true, false}), "isp", ""));
        assertTrue(e.getMessage().contains("cannot be removed"), e.getMessage());
    }
}

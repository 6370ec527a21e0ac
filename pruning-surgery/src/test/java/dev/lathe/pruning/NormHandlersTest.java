package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.exact;
import static dev.lathe.pruning.ExactCut.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** BatchNormalization and InstanceNormalization parameters are cut with their channels; see {@link ExactCut}. */
class NormHandlersTest {
    @Test
    void instanceNormScaleAndBiasFollowTheConvBeforeIt() throws Exception {
        ExactCut.Outcome r = exact(Graphs::normalizations, PlanOptions.ratio(0.5), Set.of());
        long c2 = node(r.cut(), "c2.conv").input(1).constValue().dim(0);
        assertTrue(c2 < 8, "c2 was cut: " + r.plan().toJson());
        var in = node(r.cut(), "InstanceNormalization");
        assertEquals(c2, in.input(1).constValue().dim(0), "scale");
        assertEquals(c2, in.input(2).constValue().dim(0), "bias");
        assertEquals(node(r.cut(), "c1.conv").input(1).constValue().dim(0),
                node(r.cut(), "c1.bn").input(1).constValue().dim(0), "BatchNorm scale follows c1");
    }
}

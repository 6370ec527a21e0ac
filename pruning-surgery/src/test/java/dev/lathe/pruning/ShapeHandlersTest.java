package dev.lathe.pruning;

import static dev.lathe.pruning.ExactCut.exact;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.pruning.plan.PlanOptions;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Shape-constant couplings (Split, Slice, Reshape, Transpose, Tile, PRelu, Mul, ConvTranspose, LayerNorm) cut
 * exactly; see {@link ExactCut}.
 */
class ShapeHandlersTest {
    @Test
    void splitSliceReshapeTransposeTilePreluMulConvTransposeLayerNorm() throws Exception {
        // The LayerNorm over the channels is exact because ZERO mode restricts its statistics to the kept channels.
        ExactCut.Outcome r = exact(Graphs::shapes, PlanOptions.ratio(0.5), Set.of());
        assertTrue(r.plan().groups().size() >= 5, "plan: " + r.plan().toJson());
        assertTrue(r.plan().groups().stream().anyMatch(g -> g.anchor().startsWith("tile.pre")),
                "the LayerNorm-coupled channels are cut: " + r.plan().toJson());
    }
}

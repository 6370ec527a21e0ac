package dev.lathe.pruning.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shapes of constant-derived values follow the shared ONNX integer semantics ({@code infer.IntOps}). */
class AnalysisContextTest {

    private static GraphBuilder untyped() {
        return new GraphBuilder("consts", 17).inferTypes(false);
    }

    @Test
    void constShapeBroadcastsZeroSizedConstantsAsOnnxDoes() {
        GraphBuilder b = untyped();
        Value one = b.constant(Tensor.ofFloats(new long[] {1}, 2f));
        Value empty = b.constant(Tensor.ofFloats(new long[] {0}));
        Value three = b.constant(Tensor.ofFloats(new long[] {3}, 1f, 2f, 3f));
        AnalysisContext ctx = new AnalysisContext(17);
        assertArrayEquals(new long[] {0}, ctx.constShape(b.op("Mul", List.of(one, empty), Map.of())));
        assertArrayEquals(new long[] {0}, ctx.constShape(b.op("Add", List.of(empty, one), Map.of())));
        assertNull(ctx.constShape(b.op("Add", List.of(empty, three), Map.of())));
    }

    @Test
    void constShapeResolvesReshapeTargets() {
        GraphBuilder b = untyped();
        Value w = b.constant(Tensor.zeros(DataType.FLOAT, 2, 3, 4));
        AnalysisContext ctx = new AnalysisContext(17);
        assertArrayEquals(new long[] {2, 12}, ctx.constShape(b.ops().reshape(w, 0, -1)));
        assertNull(ctx.constShape(b.ops().reshape(w, -1, -1)), "two -1 entries");
        assertNull(ctx.constShape(b.ops().reshape(w, 5, -1)), "24 elements are not a multiple of 5");
    }
}

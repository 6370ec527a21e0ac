package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.op;
import static dev.lathe.graph.infer.OrtShapes.w;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failures of shape inference name the node and say what is wrong. */
class ShapeInferenceTest {
    @Test
    void failuresNameTheNode() {
        GraphBuilder b = new GraphBuilder("bad", 17);
        Value x = b.input("x", DataType.FLOAT, "N", 4, 9, 9);
        ShapeInferenceException e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> { try (var s = b.scope("layer1")) {
                    b.ops().conv(x, w(b, 6, 3, 3, 3), null, ConvAttrs.same(3));
                } });
        assertTrue(e.getMessage().contains("Conv node 'layer1/Conv'"), e.getMessage());
        assertTrue(e.getMessage().contains("4 channels"), e.getMessage());

        e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> b.ops().add(x, w(b, 5)));
        assertTrue(e.getMessage().startsWith("Add node 'Add'"), e.getMessage());
        assertTrue(e.getMessage().contains("do not broadcast"), e.getMessage());

        e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> b.ops().reshape(x, 0, -1, 7)); // 324 elements per sample
        assertTrue(e.getMessage().startsWith("Reshape node"), e.getMessage());

        e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> b.ops().matMul(x, w(b, 8, 2)));
        assertTrue(e.getMessage().startsWith("MatMul node"), e.getMessage());
        assertTrue(e.getMessage().contains("inner dimensions"), e.getMessage());

        e = org.junit.jupiter.api.Assertions.assertThrows(ShapeInferenceException.class,
                () -> b.op("NoSuchOp", List.of(x), new HashMap<>()));
        assertTrue(e.getMessage().contains("NoSuchOp node 'NoSuchOp'"), e.getMessage());
    }
}

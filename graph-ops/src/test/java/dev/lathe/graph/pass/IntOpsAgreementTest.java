package dev.lathe.graph.pass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.infer.ShapeValue;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The two evaluators of small integer ops, symbolic ({@link ShapeValue}) and constant folding
 * ({@link ConstantEvaluator}), run on the same nodes and must give the same values, or both decline. Zero-sized
 * operands are the case on which their broadcasting once disagreed.
 */
class IntOpsAgreementTest {

    private static Tensor vec(long... v) {
        return Tensor.ofLongs(new long[] {v.length}, v);
    }

    private static Tensor scalar(long v) {
        return Tensor.ofLongs(new long[0], v);
    }

    /** Builds {@code op} over two constants (no type inference, so invalid cases can be built too). */
    private static Value node(BiFunction<GraphBuilder, Value[], Value> op, Tensor... in) {
        GraphBuilder b = new GraphBuilder("agree", 17).inferTypes(false);
        Value[] vs = new Value[in.length];
        for (int i = 0; i < in.length; i++) {
            vs[i] = b.constant(in[i]);
        }
        return op.apply(b, vs);
    }

    private static BiFunction<GraphBuilder, Value[], Value> op(String type) {
        return (b, v) -> b.op(type, List.of(v), Map.of());
    }

    /**
     * Asserts both evaluators agree on {@code out}; returns the folded tensor (null when folding declines, where
     * ShapeValue must decline too or leave the undefined elements unknown).
     */
    private static Tensor agree(Value out) {
        ShapeValue symbolic = ShapeValue.of(out);
        Tensor folded = ConstantEvaluator.evaluate(out.producer(), ConstantEvaluator.constantInputs(out.producer()),
                17);
        if (folded == null) {
            assertNull(symbolic == null ? null : symbolic.knownValues(),
                    "ShapeValue computed " + symbolic + " where folding declined");
            return null;
        }
        assertNotNull(symbolic, "folding computed a value ShapeValue declined");
        assertArrayEquals(folded.toLongs(), symbolic.knownValues());
        assertEquals(folded.rank() == 0, symbolic.scalar());
        return folded;
    }

    @Test
    void broadcastingWithZeroSizedOperandsAgrees() {
        for (String type : List.of("Add", "Sub", "Mul", "Div")) {
            assertArrayEquals(new long[] {0}, agree(node(op(type), vec(), vec(4))).dims(), type + " [0] with [1]");
            assertArrayEquals(new long[] {0}, agree(node(op(type), vec(4), vec())).dims(), type + " [1] with [0]");
            assertArrayEquals(new long[] {0}, agree(node(op(type), vec(), vec())).dims(), type + " [0] with [0]");
            assertArrayEquals(new long[] {0}, agree(node(op(type), scalar(3), vec())).dims(), type + " [] with [0]");
            assertNull(agree(node(op(type), vec(), vec(1, 2, 3))), type + " [0] with [3] does not broadcast");
            assertNull(agree(node(op(type), vec(1, 2), vec(1, 2, 3))), type + " [2] with [3] does not broadcast");
        }
    }

    @Test
    void arithmeticAgrees() {
        assertArrayEquals(new long[] {-3, 3, -4}, agree(node(op("Div"), vec(-7, 7, -9), scalar(2))).toLongs());
        assertArrayEquals(new long[] {9, 12}, agree(node(op("Add"), vec(4, 7), scalar(5))).toLongs());
        assertEquals(0, agree(node(op("Mul"), scalar(3), scalar(-4))).rank());
        assertNull(agree(node(op("Div"), vec(4, 5), vec(1, 0))), "division by zero is left to the runtime");
    }

    @Test
    void sliceGatherAndConcatAgree() {
        Tensor data = vec(10, 11, 12, 13, 14);
        assertArrayEquals(new long[] {10}, agree(node((b, v) -> b.ops().slice(v[0], new long[] {-10},
                new long[] {-10}, new long[] {0}, new long[] {-1}), data)).toLongs());
        assertArrayEquals(new long[] {14, 12, 10}, agree(node((b, v) -> b.ops().slice(v[0],
                new long[] {Long.MAX_VALUE}, new long[] {Long.MIN_VALUE}, new long[] {-1}, new long[] {-2}), data))
                .toLongs());
        assertArrayEquals(new long[] {11, 12, 13, 14}, agree(node((b, v) -> b.ops().slice(v[0], new long[] {1},
                new long[] {100}, new long[] {0}, new long[] {1}), data)).toLongs());
        assertArrayEquals(new long[0], agree(node((b, v) -> b.ops().slice(v[0], new long[] {-1},
                new long[] {Long.MIN_VALUE}, new long[] {0}, new long[] {-1}), vec())).toLongs());
        assertArrayEquals(new long[] {14, 10}, agree(node((b, v) -> b.ops().gather(v[0], v[1], 0), data,
                vec(-1, 0))).toLongs());
        assertEquals(0, agree(node((b, v) -> b.ops().gather(v[0], v[1], 0), data, scalar(-5))).rank());
        assertNull(agree(node((b, v) -> b.ops().gather(v[0], v[1], 0), data, vec(-6))));
        assertArrayEquals(new long[] {10, 11, 12, 13, 14}, agree(node((b, v) -> b.ops().concat(0, v[0], v[1],
                v[2]), vec(10, 11), vec(), vec(12, 13, 14))).toLongs());
    }
}

package dev.lathe.graph.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The ONNX/numpy integer semantics every evaluator of shape ops shares, case by case. */
class IntOpsTest {

    @Test
    void broadcastFollowsNumpyIncludingZeroSizedDims() {
        assertEquals(0, IntOps.broadcastDim(1, 0), "1 broadcasts to 0");
        assertEquals(0, IntOps.broadcastDim(0, 1), "1 broadcasts to 0");
        assertEquals(0, IntOps.broadcastDim(0, 0));
        assertEquals(-1, IntOps.broadcastDim(0, 3), "0 against n > 1 is an error");
        assertEquals(-1, IntOps.broadcastDim(3, 0), "0 against n > 1 is an error");
        assertEquals(5, IntOps.broadcastDim(1, 5));
        assertEquals(-1, IntOps.broadcastDim(2, 3));

        assertArrayEquals(new long[] {2, 0, 4}, IntOps.broadcast(new long[] {2, 1, 4}, new long[] {0, 1}));
        assertArrayEquals(new long[] {0}, IntOps.broadcast(new long[0], new long[] {0}));
        assertArrayEquals(new long[] {3, 0}, IntOps.broadcast(new long[] {3, 1}, new long[] {1, 0}));
        assertNull(IntOps.broadcast(new long[] {3, 0}, new long[] {2}));
        assertNull(IntOps.broadcast(new long[] {0}, new long[] {2, 3}));
    }

    @Test
    void broadcastIndexRepeatsSizeOneAxes() {
        assertArrayEquals(new long[] {0, 1, 2, 0, 1, 2}, IntOps.broadcastIndex(new long[] {3}, new long[] {2, 3}));
        assertArrayEquals(new long[] {0, 0, 0, 1, 1, 1}, IntOps.broadcastIndex(new long[] {2, 1}, new long[] {2, 3}));
        assertArrayEquals(new long[0], IntOps.broadcastIndex(new long[] {1}, new long[] {0}));
    }

    @Test
    void integerDivisionTruncatesTowardZero() {
        assertEquals(OptionalLong.of(-3), IntOps.arithmetic("Div", -7, 2));
        assertEquals(OptionalLong.of(-3), IntOps.arithmetic("Div", 7, -2));
        assertEquals(OptionalLong.empty(), IntOps.arithmetic("Div", 7, 0));
        assertEquals(OptionalLong.of(-12), IntOps.arithmetic("Mul", 3, -4));
        assertEquals(OptionalLong.empty(), IntOps.arithmetic("Mod", 7, 2));
    }

    @Test
    void sliceClampsAsTheSpecificationSays() {
        // positive step: start and end clamp into [0, n]
        assertArrayEquals(new long[] {1, 4}, IntOps.sliceAxis(1, Long.MAX_VALUE, 1, 5));
        assertArrayEquals(new long[] {0, 2}, IntOps.sliceAxis(-100, 3, 2, 5));
        // negative step: start into [0, n-1], end into [-1, n-1]
        assertArrayEquals(new long[] {4, 5}, IntOps.sliceAxis(Long.MAX_VALUE, Long.MIN_VALUE, -1, 5));
        assertArrayEquals(new long[] {4, 2}, IntOps.sliceAxis(-1, 0, -2, 5));
        assertArrayEquals(new long[] {0, 1}, IntOps.sliceAxis(-10, -10, -1, 5));
        // nothing to take from an empty axis, whatever the direction
        assertArrayEquals(new long[] {0, 0}, IntOps.sliceAxis(0, 5, 1, 0));
        assertArrayEquals(new long[] {0, 0}, IntOps.sliceAxis(-1, Long.MIN_VALUE, -1, 0));
        assertArrayEquals(new long[] {3, 0}, IntOps.sliceAxis(3, 1, 1, 5));

        IntOps.SliceWindow w = IntOps.SliceWindow.of(new long[] {4, 6}, new long[] {-1}, new long[] {0},
                new long[] {-1}, new long[] {-2});
        assertArrayEquals(new long[] {0, 5}, w.starts());
        assertArrayEquals(new long[] {1, -2}, w.steps());
        assertArrayEquals(new long[] {4, 3}, w.outDims());
        assertNull(IntOps.SliceWindow.of(new long[] {4}, new long[] {0}, new long[] {1}, null, new long[] {0}));
        assertNull(IntOps.SliceWindow.of(new long[] {4}, new long[] {0, 0}, new long[] {1, 1}, new long[] {0, -1},
                null), "an axis named twice");
    }

    @Test
    void gatherIndicesCountFromTheBack() {
        assertEquals(4, IntOps.gatherIndex(-1, 5));
        assertEquals(0, IntOps.gatherIndex(-5, 5));
        assertEquals(-1, IntOps.gatherIndex(-6, 5));
        assertEquals(-1, IntOps.gatherIndex(5, 5));
    }

    @Test
    void concatSumsTheAxisAndRequiresTheRestEqual() {
        assertArrayEquals(new long[] {2, 7}, IntOps.concatDims(List.of(new long[] {2, 3}, new long[] {2, 4}), -1));
        assertArrayEquals(new long[] {0}, IntOps.concatDims(List.of(new long[] {0}, new long[] {0}), 0));
        assertNull(IntOps.concatDims(List.of(new long[] {2, 3}, new long[] {3, 3}), 1));
        assertNull(IntOps.concatDims(List.of(new long[] {2, 3}, new long[] {2}), 0));
        assertNull(IntOps.concatDims(List.of(new long[0]), 0), "a scalar has no axis to concatenate on");
    }

    @Test
    void reshapeResolvesZeroAndMinusOne() {
        assertArrayEquals(new long[] {2, 12}, IntOps.reshapeTarget(new long[] {2, 3, 4}, new long[] {0, -1}, false));
        assertArrayEquals(new long[] {0, 3}, IntOps.reshapeTarget(new long[] {0, 3}, new long[] {0, 3}, true));
        assertArrayEquals(new long[] {4, 0}, IntOps.reshapeTarget(new long[] {2, 0}, new long[] {4, 0}, false));
        assertNull(IntOps.reshapeTarget(new long[] {2, 0}, new long[] {-1, 0}, true), "-1 with a 0 is ambiguous");
        assertNull(IntOps.reshapeTarget(new long[] {6}, new long[] {-1, -1}, false));
        assertNull(IntOps.reshapeTarget(new long[] {6}, new long[] {4, -1}, false));
        assertNull(IntOps.reshapeTarget(new long[] {6}, new long[] {0, 6}, false), "0 past the input's rank");
        assertNull(IntOps.reshapeTarget(new long[] {6}, new long[] {7}, false));
    }

    @Test
    void shapeWindowAndRange() {
        assertArrayEquals(new int[] {2, 4}, IntOps.shapeWindow(-2, 4, 4));
        assertArrayEquals(new int[] {3, 3}, IntOps.shapeWindow(3, 1, 4));
        assertArrayEquals(new int[] {0, 4}, IntOps.shapeWindow(-9, 9, 4));
        assertEquals(4, IntOps.rangeCount(10, -3, -4));
        assertEquals(0, IntOps.rangeCount(0, 5, -1));
        assertEquals(3, IntOps.rangeCount(0, 5, 2));
        assertEquals(-1, IntOps.rangeCount(0, 5, 0));
    }
}

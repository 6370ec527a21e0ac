package dev.lathe.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Half;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link InferenceRuntime} must do, whatever its device. A runtime's test class extends this, says how to
 * make the runtime and the config, and skips (with a reason, in a {@code @BeforeAll} assumption) where its device or
 * libraries are absent. Expected values are computed by hand from the models in {@link TestModels}.
 */
public abstract class SessionContractTest {

    protected abstract InferenceRuntime runtime();

    protected abstract SessionConfig config();

    /** Absolute tolerance for float32 results (0 would do on CPU; GPUs may fuse multiply-add). */
    protected float tolerance() {
        return 1e-6f;
    }

    protected Session open(dev.lathe.graph.ir.Model m) {
        return runtime().open(ModelSource.of(m), config());
    }

    private static float[] batch(int n, float offset) {
        float[] x = new float[n * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i - 5) * 0.37f + offset;
        }
        return x;
    }

    private void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance(), "element " + i);
        }
    }

    @Test
    void reportsSpecsWithTheSymbolicBatch() {
        try (Session s = open(TestModels.affineRelu())) {
            assertEquals(1, s.inputs().size());
            TensorSpec x = s.inputs().get(0);
            assertEquals("x", x.name());
            assertEquals(DataType.FLOAT, x.dtype());
            assertEquals(2, x.shape().rank());
            assertInstanceOf(Dim.Symbolic.class, x.shape().get(0));
            assertEquals(Dim.of(4), x.shape().get(1));
            assertEquals(List.of("y"), s.outputs().stream().map(TensorSpec::name).toList());
            assertNotNull(s.runtimeName());
        }
    }

    @Test
    void computesTheModelForSeveralBatchSizes() {
        try (Session s = open(TestModels.affineRelu())) {
            for (int n : new int[] {1, 3, 2}) {
                float[] x = batch(n, 0);
                try (Outputs out = s.run(Map.of("x", HostTensor.ofFloats(new long[] {n, 4}, x)))) {
                    HostTensor y = out.get("y");
                    assertArrayEquals(new long[] {n, 4}, y.shape());
                    assertEquals(DataType.FLOAT, y.dtype());
                    assertClose(TestModels.affineReluReference(x), y.toFloats());
                }
            }
        }
    }

    @Test
    void openOutputsAreNotOverwrittenByLaterRuns() {
        try (Session s = open(TestModels.affineRelu())) {
            float[] x1 = batch(2, 0);
            float[] x2 = batch(2, 3);
            Outputs first = s.run(Map.of("x", HostTensor.ofFloats(new long[] {2, 4}, x1)));
            try (Outputs second = s.run(Map.of("x", HostTensor.ofFloats(new long[] {2, 4}, x2)))) {
                assertClose(TestModels.affineReluReference(x2), second.get("y").toFloats());
            }
            try (Outputs third = s.run(Map.of("x", HostTensor.ofFloats(new long[] {2, 4}, x2)))) {
                assertClose(TestModels.affineReluReference(x2), third.get("y").toFloats());
            }
            assertClose(TestModels.affineReluReference(x1), first.get("y").toFloats());
            first.close();
        }
    }

    @Test
    void aRefilledInputTensorIsReadAfresh() {
        try (Session s = open(TestModels.affineRelu())) {
            HostTensor x = HostTensor.ofFloats(new long[] {1, 4}, batch(1, 0));
            for (float offset : new float[] {0, 1, -2}) {
                float[] values = batch(1, offset);
                x.data().asFloatBuffer().put(values);
                try (Outputs out = s.run(Map.of("x", x))) {
                    assertClose(TestModels.affineReluReference(values), out.get("y").toFloats());
                }
            }
        }
    }

    @Test
    void outputsFeedTheNextRunAsInputs() {
        // a training loop's pattern: this step's outputs (new weights) are the next step's inputs
        try (Session s = open(TestModels.affineRelu())) {
            float[] expected = batch(2, 1);
            Outputs previous = s.run(Map.of("x", HostTensor.ofFloats(new long[] {2, 4}, expected)));
            expected = TestModels.affineReluReference(expected);
            for (int step = 0; step < 3; step++) {
                Outputs next = s.run(Map.of("x", previous.get("y")));
                previous.close();
                expected = TestModels.affineReluReference(expected);
                assertClose(expected, next.get("y").toFloats());
                previous = next;
            }
            previous.close();
        }
    }

    @Test
    void closedOutputsAndTheirTensorsThrow() {
        try (Session s = open(TestModels.affineRelu())) {
            float[] x = batch(1, 0);
            Outputs out = s.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 4}, x)));
            HostTensor y = out.get("y");
            HostTensor kept = y.copy();
            out.close();
            assertTrue(out.isClosed());
            assertThrows(IllegalStateException.class, () -> out.get("y"));
            IllegalStateException e = assertThrows(IllegalStateException.class, y::toFloats);
            assertTrue(e.getMessage().contains("copy()"), e.getMessage());
            assertClose(TestModels.affineReluReference(x), kept.toFloats());
            out.close();
        }
    }

    @Test
    void closedSessionThrows() {
        Session s = open(TestModels.affineRelu());
        s.close();
        assertThrows(IllegalStateException.class, s::inputs);
        assertThrows(IllegalStateException.class,
                () -> s.run(Map.of("x", HostTensor.ofFloats(new long[] {1, 4}, batch(1, 0)))));
        s.close();
    }

    @Test
    void unknownInputNameIsNamedWithTheModelsInputs() {
        try (Session s = open(TestModels.affineRelu())) {
            InputMismatchException e = assertThrows(InputMismatchException.class,
                    () -> s.run(Map.of("images", HostTensor.ofFloats(new long[] {1, 4}, batch(1, 0)))));
            assertTrue(e.getMessage().contains("unknown input 'images'"), e.getMessage());
            assertTrue(e.getMessage().contains("x: float32["), e.getMessage());
        }
    }

    @Test
    void wrongShapeNamesTheInputWithExpectedAndGivenShape() {
        try (Session s = open(TestModels.affineRelu())) {
            InputMismatchException e = assertThrows(InputMismatchException.class,
                    () -> s.run(Map.of("x", HostTensor.ofFloats(new long[] {2, 5}, new float[10]))));
            assertTrue(e.getMessage().contains("input 'x' has shape [2, 5]"), e.getMessage());
            assertTrue(e.getMessage().matches(".*model expects \\[\\w+, 4\\].*"), e.getMessage());
            e = assertThrows(InputMismatchException.class,
                    () -> s.run(Map.of("x", HostTensor.ofFloats(new long[] {4}, new float[4]))));
            assertTrue(e.getMessage().contains("input 'x' has shape [4]"), e.getMessage());
        }
    }

    @Test
    void wrongElementTypeAndMissingInputsAreNamed() {
        try (Session s = open(TestModels.affineRelu())) {
            InputMismatchException e = assertThrows(InputMismatchException.class,
                    () -> s.run(Map.of("x", HostTensor.ofLongs(new long[] {1, 4}, 1, 2, 3, 4))));
            assertTrue(e.getMessage().contains("input 'x' has element type int64, model expects float32"),
                    e.getMessage());
            e = assertThrows(InputMismatchException.class, () -> s.run(Map.of()));
            assertTrue(e.getMessage().contains("missing input 'x'"), e.getMessage());
        }
    }

    @Test
    void symbolicDimensionsMustAgreeAcrossInputs() {
        try (Session s = open(TestModels.twoInputs())) {
            InputMismatchException e = assertThrows(InputMismatchException.class, () -> s.run(Map.of(
                    "a", HostTensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4),
                    "b", HostTensor.ofFloats(new long[] {1, 2}, 1, 2))));
            assertTrue(e.getMessage().contains("=1") && e.getMessage().contains("=2"), e.getMessage());
            try (Outputs out = s.run(Map.of("a", HostTensor.ofFloats(new long[] {1, 2}, 1, 2),
                    "b", HostTensor.ofFloats(new long[] {1, 2}, 10, 20)))) {
                assertArrayEquals(new float[] {11, 22}, out.get("sum").toFloats());
            }
        }
    }

    @Test
    void runsEveryHostElementType() {
        try (Session s = open(TestModels.everyDtype())) {
            long[] shape = {1, 3};
            Map<String, HostTensor> in = Map.of(
                    "h", HostTensor.ofHalfs(shape, 1.5f, -2f, 0.25f),
                    "d", HostTensor.ofDoubles(shape, 0.1, 1e300, -3),
                    "l", HostTensor.ofLongs(shape, 1L << 40, -7, 0),
                    "i", HostTensor.ofInts(shape, 1 << 20, -7, 0),
                    "p", HostTensor.ofBooleans(shape, true, false, true),
                    "s", HostTensor.ofBytes(DataType.INT8, shape, (byte) -128, (byte) 0, (byte) 127),
                    "u", HostTensor.ofBytes(DataType.UINT8, shape, (byte) 255, (byte) 0, (byte) 7));
            try (Outputs out = s.run(in)) {
                HostTensor h = out.get("h_sq");
                assertEquals(DataType.FLOAT16, h.dtype());
                assertEquals(Half.fromFloat(2.25f), h.data().getShort(0));
                assertEquals(Half.fromFloat(4f), h.data().getShort(2));
                assertEquals(Half.fromFloat(0.0625f), h.data().getShort(4));
                assertEquals(0.2, out.get("d_twice").data().getDouble(0));
                assertEquals(2e300, out.get("d_twice").data().getDouble(8));
                assertArrayEquals(new long[] {1L << 41, -14, 0}, out.get("l_twice").toLongs());
                assertArrayEquals(new long[] {1 << 21, -14, 0}, out.get("i_twice").toLongs());
                assertEquals(DataType.BOOL, out.get("p_not").dtype());
                assertArrayEquals(new long[] {0, 1, 0}, out.get("p_not").toLongs());
                assertArrayEquals(new long[] {-128, 0, 127}, out.get("s_same").toLongs());
                assertArrayEquals(new long[] {255, 0, 7}, out.get("u_same").toLongs());
            }
        }
    }

    @Test
    void returnsOnlyTheRequestedOutputs() {
        try (Session s = open(TestModels.everyDtype())) {
            Map<String, HostTensor> in = Map.of(
                    "h", HostTensor.ofHalfs(new long[] {1, 3}, 1, 2, 3),
                    "d", HostTensor.ofDoubles(new long[] {1, 3}, 1, 2, 3),
                    "l", HostTensor.ofLongs(new long[] {1, 3}, 1, 2, 3),
                    "i", HostTensor.ofInts(new long[] {1, 3}, 1, 2, 3),
                    "p", HostTensor.ofBooleans(new long[] {1, 3}, true, true, false),
                    "s", HostTensor.ofBytes(DataType.INT8, new long[] {1, 3}, (byte) 1, (byte) 2, (byte) 3),
                    "u", HostTensor.ofBytes(DataType.UINT8, new long[] {1, 3}, (byte) 1, (byte) 2, (byte) 3));
            try (Outputs out = s.run(in, List.of("l_twice", "p_not"))) {
                assertEquals(List.of("l_twice", "p_not"), out.names());
                assertArrayEquals(new long[] {2, 4, 6}, out.get("l_twice").toLongs());
            }
            InputMismatchException e = assertThrows(InputMismatchException.class,
                    () -> s.run(in, List.of("logits")));
            assertTrue(e.getMessage().contains("unknown output 'logits'"), e.getMessage());
        }
    }

    @Test
    void exposesIntermediatesAsExtraOutputsInOneRun() {
        SessionConfig c = config().withExposedIntermediates(List.of(TestModels.HIDDEN));
        try (Session s = runtime().open(ModelSource.of(TestModels.affineRelu()), c)) {
            assertEquals(List.of("y", TestModels.HIDDEN), s.outputs().stream().map(TensorSpec::name).toList());
            float[] x = batch(2, 0);
            try (Outputs out = s.run(Map.of("x", HostTensor.ofFloats(new long[] {2, 4}, x)))) {
                float[] hidden = out.get(TestModels.HIDDEN).toFloats();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(x[i] * TestModels.W[i % 4], hidden[i], tolerance());
                }
                assertClose(TestModels.affineReluReference(x), out.get("y").toFloats());
            }
        }
        InferenceException e = assertThrows(InferenceException.class, () -> runtime().open(
                ModelSource.of(TestModels.affineRelu()), config().withExposedIntermediates(List.of("nope"))));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    }

    @Test
    void exposingIntermediatesLeavesTheCallersModelUnchanged() {
        dev.lathe.graph.ir.Model m = TestModels.affineRelu();
        runtime().open(ModelSource.of(m), config().withExposedIntermediates(List.of(TestModels.HIDDEN))).close();
        assertEquals(1, m.graph().outputs().size());
    }

    @Test
    void dataDependentOutputShapesAreCorrectOnEveryRun() {
        try (Session s = open(TestModels.nonZero())) {
            float[][] inputs = {{0, 1, 0, 2}, {3, 0, 0, 0}, {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 5, 0, 0}};
            long[][] expected = {{1, 3}, {0}, {0, 1, 2, 3}, {}, {1}};
            for (int k = 0; k < inputs.length; k++) {
                try (Outputs out = s.run(Map.of("x", HostTensor.ofFloats(new long[] {4}, inputs[k])))) {
                    HostTensor idx = out.get("idx");
                    assertArrayEquals(new long[] {1, expected[k].length}, idx.shape(), "run " + k);
                    assertArrayEquals(expected[k], idx.toLongs(), "run " + k);
                }
            }
            assertFalse(s.outputs().isEmpty());
        }
    }
}

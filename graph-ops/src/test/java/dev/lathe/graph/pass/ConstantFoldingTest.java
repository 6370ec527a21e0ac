package dev.lathe.graph.pass;

import static dev.lathe.graph.pass.OrtHarness.assertSame;
import static dev.lathe.graph.pass.OrtHarness.histogram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstantFoldingTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/passes");

    private static Value op(GraphBuilder b, String type, Map<String, Attr> attrs, Value... inputs) {
        return b.op(type, List.of(inputs), attrs);
    }

    /**
     * Every op the evaluator knows, on constant inputs, each result read by an Identity that is a graph output.
     * Before folding ONNX Runtime computes the ops; after folding the outputs are initializers Java computed. They
     * must be bit-identical, which checks the evaluator against the runtime op by op.
     */
    @Test
    void everyFoldableOpMatchesOnnxRuntime() throws Exception {
        GraphBuilder b = new GraphBuilder("ops", 17);
        Value x = b.input("x", DataType.FLOAT, 2, 3, 4);
        Value table = op(b, "Constant", Map.of("value", Attr.of(Tensor.ofLongs(new long[] {2, 3}, 5, -7, 9, 11, 0,
                -13))));
        Value floats = b.constant(Tensor.ofFloats(new long[] {5}, -2.7f, -0.5f, 0f, 1.5f, 300.25f));
        Value range = op(b, "Range", Map.of(), b.constant(Tensor.ofLongs(new long[0], 10)),
                b.constant(Tensor.ofLongs(new long[0], -3)), b.constant(Tensor.ofLongs(new long[0], -4)));
        Value shapeAll = b.ops().shape(x);
        Map<String, Value> results = new java.util.LinkedHashMap<>();
        results.put("constant", table);
        results.put("shape", shapeAll);
        results.put("shape_tail", op(b, "Shape", Map.of("start", Attr.of(-2L)), x));
        results.put("gather", b.ops().gather(table, b.constant(-1, 0), 1));
        results.put("gather_scalar", b.ops().gather(shapeAll, b.constant(Tensor.ofLongs(new long[0], 2)), 0));
        results.put("unsqueeze", b.ops().unsqueeze(range, 0, -1));
        results.put("squeeze", b.ops().squeeze(b.ops().unsqueeze(table, 0), 0));
        results.put("concat", b.ops().concat(0, range, b.constant(42, 43)));
        results.put("concat_axis1", b.ops().concat(1, table, table));
        results.put("slice_reverse", b.ops().slice(b.ops().concat(0, range, range), new long[] {6}, new long[] {0},
                new long[] {0}, new long[] {-2}));
        results.put("slice_clamped", b.ops().slice(table, new long[] {1, -2}, new long[] {Long.MAX_VALUE, 100},
                new long[] {0, 1}, new long[] {1, 1}));
        results.put("cast_to_float", op(b, "Cast", Map.of("to", Attr.of((long) DataType.FLOAT.code())), table));
        results.put("cast_to_int64", op(b, "Cast", Map.of("to", Attr.of((long) DataType.INT64.code())), floats));
        results.put("cast_to_int32", op(b, "Cast", Map.of("to", Attr.of((long) DataType.INT32.code())), table));
        results.put("cast_to_bool", op(b, "Cast", Map.of("to", Attr.of((long) DataType.BOOL.code())), floats));
        results.put("reshape", b.ops().reshape(table, 3, -1));
        results.put("reshape_zero", b.ops().reshape(b.ops().unsqueeze(table, 0), 0, -1));
        results.put("add", b.ops().add(table, b.constant(100, 200, 300)));
        results.put("sub", b.ops().sub(b.constant(Tensor.ofLongs(new long[] {2, 1}, 1, 2)), table));
        results.put("mul", b.ops().mul(table, b.constant(Tensor.ofLongs(new long[0], -3))));
        results.put("div", b.ops().div(table, b.constant(2, -4, 3)));
        results.put("div_int32", b.ops().div(b.constant(Tensor.ofInts(new long[] {3}, -7, 7, -9)),
                b.constant(Tensor.ofInts(new long[] {1}, 2))));
        results.put("constant_of_shape", op(b, "ConstantOfShape",
                Map.of("value", Attr.of(Tensor.ofLongs(new long[] {1}, 7))), b.constant(2, 2)));
        results.put("constant_of_shape_default", op(b, "ConstantOfShape", Map.of(), b.constant(3)));
        results.put("range", range);
        results.put("identity", b.ops().identity(table));
        // float math stays in the graph
        Value floatSum = b.ops().add(floats, floats);
        results.put("float_add", floatSum);
        for (Map.Entry<String, Value> e : results.entrySet()) {
            b.output(b.ops().identity(e.getValue()), e.getKey());
        }
        Model m = b.build();
        Map<String, Tensor> in = OrtHarness.gaussian("x", 1, 2, 3, 4);
        Map<String, Tensor> before = OrtHarness.run(m, in);

        PassResult r = PassRunner.of("fold", new ConstantFolding(), new DeadCodeElimination()).checkingWellFormed()
                .apply(m);

        assertTrue(r.modified());
        assertEquals(Map.of("Add", 1, "Identity", results.size()), histogram(m),
                "everything but the float Add is folded");
        assertTrue(floatSum.producer() != null && m.graph().nodes().contains(floatSum.producer()));
        assertSame(before, OrtHarness.run(m, in)); // tolerance: bit-identical
        assertFalse(new ConstantFolding().apply(m).modified());
    }

    /** The builder's view of the torch pattern: with a symbolic batch only Gather of static dims folds. */
    @Test
    void symbolicBatchFoldsOnlyStaticDims() throws Exception {
        GraphBuilder b = new GraphBuilder("flatten", 17);
        Nn nn = new Nn(b, 2);
        Value x = b.input("x", DataType.FLOAT, "N", 3, 6, 6);
        Value y = b.ops().relu(nn.conv2d("conv", x, 4, ConvAttrs.same(3), true));
        Value shape = b.ops().shape(y);
        Value batch = b.ops().unsqueeze(b.ops().gather(shape, b.constant(Tensor.ofLongs(new long[0], 0)), 0), 0);
        Value channels = b.ops().gather(shape, b.constant(Tensor.ofLongs(new long[0], 1)), 0);
        Value hw = b.ops().slice(shape, new long[] {2}, new long[] {4}, new long[] {0}, new long[] {1});
        Value pixels = op(b, "ReduceProd", Map.of("keepdims", Attr.of(1L)), hw);
        Value features = b.ops().mul(b.ops().unsqueeze(channels, 0), pixels);
        Value flat = b.ops().reshape(y, b.ops().concat(0, batch, features));
        // inference cannot see through ReduceProd, so the flattened width is unknown here: Gemm with explicit sizes
        b.output(b.ops().gemm(flat, b.param("fc.weight", nn.normal(0.1, 3, 4 * 6 * 6)), null, true), "logits");
        Model m = b.build();
        Map<String, Integer> histogramBefore = histogram(m);

        List<Map<String, Tensor>> before = List.of(OrtHarness.run(m, OrtHarness.gaussian("x", 1, 2, 3, 6, 6)),
                OrtHarness.run(m, OrtHarness.gaussian("x", 2, 5, 3, 6, 6)));

        assertTrue(PassRunner.of("fold", new ConstantFolding(), new DeadCodeElimination()).checkingWellFormed()
                .apply(m).modified());

        // Gather(1) and Slice(2:4) of the shape fold; ReduceProd is not folded here, so Mul stays with one
        // constant input; the batch Gather, its Unsqueeze and the Concat read the symbolic dim and stay
        Map<String, Integer> h = histogram(m);
        assertEquals(1, h.get("Shape"));
        assertEquals(1, h.get("Gather"), "only the batch-dimension Gather is left");
        assertNull(h.get("Slice"));
        assertEquals(histogramBefore.get("Unsqueeze") - 1, h.get("Unsqueeze"));
        assertSame(before.get(0), OrtHarness.run(m, OrtHarness.gaussian("x", 1, 2, 3, 6, 6)));
        assertSame(before.get(1), OrtHarness.run(m, OrtHarness.gaussian("x", 2, 5, 3, 6, 6)));
    }

    /**
     * torch.onnx export (opset 13) of size()-driven view/reshape code with a static batch: no value_info in the
     * file, so Shape folding relies on shape inference; every Constant/Unsqueeze/Concat chain must go.
     */
    @Test
    void foldsTorchExportShapeChainsWhenShapesAreStatic() throws Exception {
        Model m = Onnx.load(FIXTURES.resolve("shape_chains_static_op13.onnx"));
        Map<String, Tensor> in = OrtHarness.gaussian("input", 3, 2, 3, 8, 8);
        Map<String, Tensor> before = OrtHarness.run(m, in);
        assertTrue(histogram(m).get("Concat") >= 4);

        assertTrue(PassRunner.of("fold", new ConstantFolding(), new DeadCodeElimination()).checkingWellFormed()
                .apply(m).modified());

        Map<String, Integer> h = histogram(m);
        for (String gone : List.of("Constant", "Unsqueeze", "Concat", "Shape", "Gather")) {
            assertNull(h.get(gone), gone + " left in " + h);
        }
        assertEquals(4, h.get("Reshape"));
        for (Node n : m.graph().nodes()) {
            if (n.opType().equals("Reshape")) {
                assertTrue(n.input(1).isInitializer(), n + " reads a folded shape");
            }
        }
        assertSame(before, OrtHarness.run(m, in)); // tolerance: bit-identical, no float op changed
    }

    /** The same export with batch "N": chains reading channel and spatial dims fold, the batch chain stays. */
    @Test
    void foldsStaticPartsOfTorchExportWithSymbolicBatch() throws Exception {
        Model m = Onnx.load(FIXTURES.resolve("shape_chains_dynamic_op13.onnx"));
        Map<String, Integer> h0 = histogram(m);
        Map<String, Tensor> before2 = OrtHarness.run(m, OrtHarness.gaussian("input", 3, 2, 3, 8, 8));
        Map<String, Tensor> before3 = OrtHarness.run(m, OrtHarness.gaussian("input", 4, 3, 3, 8, 8));

        assertTrue(PassRunner.of("fold", new ConstantFolding(), new DeadCodeElimination()).checkingWellFormed()
                .apply(m).modified());

        Map<String, Integer> h = histogram(m);
        assertNull(h.get("Constant"));
        assertNull(h.get("Div"), "c // 2 reads a static dim and folds");
        assertTrue(h.getOrDefault("Gather", 0) < h0.get("Gather"), h0 + " -> " + h);
        assertTrue(h.getOrDefault("Gather", 0) >= 1, "the batch dimension cannot fold: " + h);
        assertSame(before2, OrtHarness.run(m, OrtHarness.gaussian("input", 3, 2, 3, 8, 8)));
        assertSame(before3, OrtHarness.run(m, OrtHarness.gaussian("input", 4, 3, 3, 8, 8)));
    }
}

package dev.lathe.graph.pass;

import static dev.lathe.graph.pass.OrtHarness.assertSame;
import static dev.lathe.graph.pass.OrtHarness.histogram;
import static dev.lathe.graph.pass.OrtHarness.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.validate.ModelValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadCodeEliminationTest {

    @Test
    void removesDeadBranchAndUnusedInitializersButKeepsInputs() throws Exception {
        GraphBuilder b = new GraphBuilder("dce", 17);
        Nn nn = new Nn(b, 3);
        Value x = b.input("x", DataType.FLOAT, 2, 3, 8, 8);
        b.input("unused_input", DataType.FLOAT, 1);
        Value y = b.ops().relu(nn.conv2d("conv1", x, 4, ConvAttrs.same(3), true));
        // a side branch nobody reads: a conv with its own parameters and a sigmoid after it
        b.ops().sigmoid(nn.conv2d("probe", y, 2, ConvAttrs.same(1), true));
        b.param("orphan", Tensor.zeros(DataType.FLOAT, 5));
        b.output(b.ops().globalAveragePool(y), "out");
        Model m = b.build();

        Map<String, Tensor> in = OrtHarness.gaussian("x", 1, 2, 3, 8, 8);
        in.put("unused_input", Tensor.ofFloats(new long[] {1}, 0f));
        Map<String, Tensor> before = OrtHarness.run(m, in);

        PassResult r = new DeadCodeElimination().apply(m);

        assertTrue(r.modified());
        assertEquals(Map.of("Conv", 1, "GlobalAveragePool", 1, "Relu", 1), histogram(m));
        assertNull(m.graph().initializer("probe.weight"));
        assertNull(m.graph().initializer("probe.bias"));
        assertNull(m.graph().initializer("orphan"));
        assertNotNull(m.graph().initializer("conv1.weight"));
        assertEquals(List.of("x", "unused_input"), m.graph().inputs().stream().map(Value::name).toList());
        ModelValidator.requireWellFormed(m.graph());
        assertSame(before, OrtHarness.run(m, in)); // tolerance: bit-identical, the live nodes are untouched
        assertFalse(new DeadCodeElimination().apply(m).modified());
    }

    /**
     * Outer values read only inside an If branch are live; a dead If takes its subgraphs' reads with it, so the
     * initializer only its branch read goes too.
     */
    @Test
    void keepsValuesThatLiveSubgraphsReadFromOuterScope() throws Exception {
        Graph g = new Graph("outer");
        TensorType t = TensorType.of(DataType.FLOAT, 2, 3);
        Value x = g.addInput(new Value("x", t));
        Value cond = g.addInput(new Value("cond", TensorType.of(DataType.BOOL)));
        Value relu = raw(g, "Relu", List.of(x), Map.of(), t);
        Value neg = raw(g, "Neg", List.of(x), Map.of(), t);
        raw(g, "Sigmoid", List.of(x), Map.of(), t); // dead
        Value onlyInDeadBranch = g.addInitializer("dead_branch_constant", Tensor.ofFloats(new long[] {2, 3},
                1, 2, 3, 4, 5, 6));
        Value deadIf = raw(g, "If", List.of(cond), Map.of("then_branch", Attr.of(branch("dt", onlyInDeadBranch, t)),
                "else_branch", Attr.of(branch("de", x, t))), t);
        Value liveIf = raw(g, "If", List.of(cond), Map.of("then_branch", Attr.of(branch("then", relu, t)),
                "else_branch", Attr.of(branch("else", neg, t))), t);
        g.addOutput(liveIf);
        Model m = new Model(g);

        List<Map<String, Tensor>> before = new java.util.ArrayList<>();
        for (boolean c : new boolean[] {true, false}) {
            Map<String, Tensor> in = OrtHarness.gaussian("x", 5, 2, 3);
            in.put("cond", OrtHarness.bool(c));
            before.add(OrtHarness.run(m, in));
        }

        assertTrue(new DeadCodeElimination().apply(m).modified());

        assertEquals(Map.of("If", 1, "Neg", 1, "Relu", 1), histogram(m));
        assertFalse(m.graph().nodes().contains(deadIf.producer()));
        assertNull(m.graph().initializer("dead_branch_constant"));
        ModelValidator.requireWellFormed(m.graph());
        int k = 0;
        for (boolean c : new boolean[] {true, false}) {
            Map<String, Tensor> in = OrtHarness.gaussian("x", 5, 2, 3);
            in.put("cond", OrtHarness.bool(c));
            assertSame(before.get(k++), OrtHarness.run(m, in));
        }
    }

    /** A branch graph whose single output is Identity(outerValue). */
    static Graph branch(String name, Value outerValue, TensorType t) {
        Graph sub = new Graph(name);
        Node id = OrtHarness.node(sub, "Identity", List.of(outerValue), Map.of(), t);
        sub.addNode(id);
        sub.addOutput(id.output(0));
        return sub;
    }
}

package dev.lathe.graph.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The builder pointed into existing graphs, model copies and output-aware use replacement, checked in ORT. */
class GraphEditTest {
    private static final float[] X = {-2f, -0.5f, 0f, 1f, 3f, 4.5f};

    /** y = relu(x) * 3, x of shape [2, 3]. */
    private static Model net() {
        GraphBuilder b = new GraphBuilder("net", 17);
        Value x = b.input("x", DataType.FLOAT, 2, 3);
        Value r = b.ops().relu(x);
        b.output(b.ops().mul(r, b.scalar(3f)), "y");
        return b.build();
    }

    private static Map<String, float[]> run(Model m) throws Exception {
        return OrtParity.runFloats(m, Map.of("x", Tensor.ofFloats(new long[] {2, 3}, X)), OrtParity.Settings.DEPLOYED);
    }

    private static Node node(Model m, String opType) {
        return m.graph().nodes().stream().filter(n -> n.opType().equals(opType)).findFirst().orElseThrow();
    }

    @Test
    void insertsBeforeANodeWithInferredTypesAndOrtAgrees() throws Exception {
        Model m = net();
        Node mul = node(m, "Mul");
        Value relu = mul.input(0);
        GraphBuilder edit = GraphBuilder.editing(m).before(mul).namePrefix("shift");
        Value shifted = edit.ops().add(relu, edit.scalar(1f));
        mul.replaceInput(0, shifted);

        assertEquals(new TensorType(DataType.FLOAT, relu.shape()), shifted.type(), "type inferred at insertion");
        List<Node> nodes = m.graph().nodes();
        assertEquals(nodes.indexOf(mul) - 1, nodes.indexOf(shifted.producer()), "inserted just before the anchor");
        assertEquals("shift/Add", shifted.producer().name());
        Value last = edit.atEnd().ops().neg(shifted);
        assertEquals(m.graph().nodes().get(m.graph().nodes().size() - 1), last.producer(), "atEnd appends");
        assertTrue(last.uses().isEmpty());
        float[] y = run(m).get("y");
        for (int i = 0; i < X.length; i++) {
            assertEquals((Math.max(X[i], 0f) + 1f) * 3f, y[i], 0f);
        }
    }

    @Test
    void insertsAfterANodeInBuiltOrder() throws Exception {
        Model m = net();
        Node relu = node(m, "Relu");
        GraphBuilder edit = GraphBuilder.editing(m).after(relu).inferTypes(false);
        Value a = edit.ops().neg(relu.output(0));
        Value b = edit.ops().neg(a);
        relu.output(0).uses().stream().filter(u -> u.node().opType().equals("Mul")).findFirst()
                .ifPresent(u -> u.node().replaceInput(u.index(), b));
        List<Node> nodes = m.graph().nodes();
        assertEquals(List.of("Relu", "Neg", "Neg", "Mul"), nodes.stream().map(Node::opType).toList());
        assertEquals(null, a.type(), "no inference when turned off");
        float[] y = run(m).get("y");
        for (int i = 0; i < X.length; i++) {
            assertEquals(Math.max(X[i], 0f) * 3f, y[i], 0f);
        }
    }

    @Test
    void aCustomDomainOpAddsItsImportToTheEditedModel() {
        Model m = net();
        GraphBuilder edit = GraphBuilder.editing(m).before(node(m, "Mul")).inferTypes(false);
        edit.op("com.example", "Gate", List.of(node(m, "Relu").output(0)), Map.of(), 1);
        assertEquals(1L, m.opsetImports().get("com.example"));
    }

    @Test
    void anchorOutsideTheGraphIsRefused() {
        Model m = net();
        Node foreign = node(net(), "Mul");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphBuilder.editing(m).before(foreign));
        assertTrue(e.getMessage().contains("is not in graph 'net'"), e.getMessage());
    }

    @Test
    void editingACopyLeavesTheOriginalBitIdentical() throws Exception {
        Model original = net();
        original.metadataProps().put("k", "v");
        float[] before = run(original).get("y");

        Model copy = original.copy();
        assertNotSame(original.graph(), copy.graph());
        assertEquals(original.metadataProps(), copy.metadataProps());
        Value c0 = original.graph().initializers().values().iterator().next();
        Value c1 = copy.graph().initializers().values().iterator().next();
        assertNotSame(c0, c1);
        assertSame(c0.constValue(), c1.constValue(), "tensor data is shared, not copied");
        for (int i = 0; i < copy.graph().nodes().size(); i++) {
            Node a = original.graph().nodes().get(i);
            Node b = copy.graph().nodes().get(i);
            assertNotSame(a, b);
            assertEquals(a.name(), b.name());
            for (Value v : b.inputs()) {
                assertSame(copy.graph(), v.graph(), "copied nodes read copied values");
            }
        }

        // edit the copy every way: a new node, a replaced constant, a renamed output
        Node mul = node(copy, "Mul");
        GraphBuilder edit = GraphBuilder.editing(copy).before(mul);
        mul.replaceInput(0, edit.ops().sigmoid(mul.input(0)));
        Value three = mul.input(1);
        Value five = copy.graph().addInitializer("five", Tensor.scalar(5f));
        three.replaceAllUsesWith(five);
        copy.graph().outputs().get(0).setName("z");

        assertArrayEquals(before, run(original).get("y"), "original unchanged, bit for bit");
        assertEquals(Map.of("k", "v"), original.metadataProps());
        assertNotEquals(before[4], run(copy).get("z")[4]);
    }

    @Test
    void copiesSubgraphsThatReadOuterValues() throws Exception {
        GraphBuilder b = new GraphBuilder("if_net", 17);
        Value x = b.input("x", DataType.FLOAT, 2, 3);
        Value r = b.ops().relu(x);
        Value cond = b.constant(Tensor.of(DataType.BOOL, new long[0], java.nio.ByteBuffer.wrap(new byte[] {1})));
        Graph then = branch("then", r, "Sigmoid");
        Graph otherwise = branch("else", r, "Neg");
        Value y = b.inferTypes(false).op("If", List.of(cond), Map.of("then_branch", Attr.of(then), "else_branch", Attr.of(otherwise)));
        y.setType(r.type());
        b.output(y, "y");
        Model m = b.build();

        Model copy = m.copy();
        Node ifCopy = node(copy, "If");
        Graph thenCopy = ((Attr.GraphAttr) ifCopy.attr("then_branch")).value();
        assertNotSame(then, thenCopy);
        assertSame(node(copy, "Relu").output(0), thenCopy.nodes().get(0).input(0),
                "the copied branch reads the copied outer value");
        assertArrayEquals(run(m).get("y"), run(copy).get("y"));
    }

    @Test
    void copyKeepsAnInitializerListedAsAnInputOneValue() {
        Model m = net();
        Value three = m.graph().initializers().values().iterator().next();
        m.graph().addInput(three); // IR < 4 form: the initializer is also a graph input
        Model copy = m.copy();
        Value copied = copy.graph().initializers().values().iterator().next();
        assertSame(copied, copy.graph().inputs().get(1));
        assertTrue(dev.lathe.graph.validate.ModelValidator.wellFormed(copy.graph()).isEmpty());
    }

    private static Graph branch(String name, Value outer, String op) {
        GraphBuilder g = GraphBuilder.editing(new Graph(name), 17).namePrefix(name);
        Value out = g.ops().op(op, outer);
        g.graph().addOutput(out);
        return g.graph();
    }

    @Test
    void replaceAllUsesWithCanTakeOverGraphOutputs() throws Exception {
        Model m = net();
        Graph g = m.graph();
        Value y = g.outputs().get(0);
        Value relu = node(m, "Relu").output(0);
        Value alt = GraphBuilder.editing(m).ops().neg(relu);

        y.replaceAllUsesWith(alt, false);
        assertSame(y, g.outputs().get(0), "without the flag graph outputs stay");
        y.replaceAllUsesWith(alt, true);
        assertSame(alt, g.outputs().get(0));
        g.removeNode(y.producer()); // no longer read nor an output
        alt.setName("y");
        float[] out = run(m).get("y");
        for (int i = 0; i < X.length; i++) {
            assertEquals(-Math.max(X[i], 0f), out[i], 0f);
        }
    }
}

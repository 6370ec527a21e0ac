package dev.lathe.graph.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelValidatorTest {
    private static final TensorType X = new TensorType(DataType.FLOAT, Shape.of("N", 3, 8, 8));

    private static Model builtNet() {
        GraphBuilder b = new GraphBuilder("net", 17);
        Nn nn = new Nn(b, 3);
        Value x = b.input("input", DataType.FLOAT, "N", 3, 8, 8);
        x = b.ops().relu(nn.batchNorm2d("bn1", nn.conv2d("conv1", x, 4, ConvAttrs.same(3), false)));
        b.output(nn.linear("fc", b.ops().flatten(b.ops().globalAveragePool(x), 1), 2, true), "logits");
        return b.build();
    }

    /** A two-node graph x -> Relu -> a -> Sigmoid -> y written node by node, so tests can break it. */
    private static Graph handGraph(boolean sorted) {
        Graph g = new Graph("hand");
        Value x = g.addInput(new Value("x", X));
        Value a = new Value("a", null);
        Value y = new Value("y", null);
        Node relu = new Node("", "Relu", "relu", List.of(x), List.of(a));
        Node sig = new Node("", "Sigmoid", "sig", List.of(a), List.of(y));
        if (sorted) {
            g.addNode(relu);
            g.addNode(sig);
        } else {
            g.addNode(sig);
            g.addNode(relu);
        }
        g.addOutput(y);
        return g;
    }

    @Test
    void validModelsHaveNoProblems() {
        assertEquals(List.of(), ModelValidator.check(builtNet()));
        Model hand = new Model(handGraph(true));
        assertEquals(List.of(), ModelValidator.check(hand));
        assertEquals(X, hand.graph().outputs().get(0).type(), "validation types every node output");
    }

    @Test
    void useBeforeDefinitionNamesTheNodeAndTheProducer() {
        List<ModelValidator.Problem> p = ModelValidator.check(new Model(handGraph(false)));
        assertEquals(1, p.size(), p.toString());
        assertEquals("Sigmoid node 'sig'", p.get(0).where());
        assertTrue(p.get(0).message().contains("input 0 ('a') is not defined before use"), p.toString());
        assertTrue(p.get(0).message().contains("Relu node 'relu'"), p.toString());
    }

    @Test
    void duplicateNamesUnproducedOutputsAndMissingOpsetsAreReported() {
        Graph g = handGraph(true);
        Value dup = new Value("a", null); // same name as the Relu output
        g.addNode(new Node("", "Relu", "relu2", List.of(g.inputs().get(0)), List.of(dup)));
        g.addOutput(new Value("ghost", X));
        g.addNode(new Node("com.example", "Custom", "custom", List.of(g.inputs().get(0)),
                List.of(new Value("c", null))));
        Model m = new Model(g);
        m.opsetImports().clear();
        List<ModelValidator.Problem> p = ModelValidator.check(m);
        String all = p.toString();
        assertTrue(all.contains("model: no opset import for the ai.onnx domain"), all);
        assertTrue(all.contains("Custom node 'custom': uses domain 'com.example'"), all);
        assertTrue(all.contains("Relu node 'relu2': defines value 'a' a second time"), all);
        assertTrue(all.contains("graph 'hand': output 1 ('ghost') is not produced"), all);
        assertEquals(4, p.size(), all);
        ModelValidationException e = assertThrows(ModelValidationException.class, () -> ModelValidator.validate(m));
        assertTrue(e.getMessage().endsWith("(and 3 more problems)"), e.getMessage());
    }

    @Test
    void typeErrorNamesTheNode() {
        Graph g = new Graph("bad");
        Value x = g.addInput(new Value("x", X));
        Value w = g.addInitializer("conv.weight", Tensor.zeros(DataType.FLOAT, 5, 4, 3, 3)); // expects 4 channels
        Value r = new Value("r", null);
        Value y = new Value("y", null);
        g.addNode(new Node("", "Relu", "stem.relu", List.of(x), List.of(r)));
        g.addNode(new Node("", "Conv", "layer1.conv", List.of(r, w), List.of(y)));
        g.addOutput(y);
        ModelValidationException e = assertThrows(ModelValidationException.class,
                () -> ModelValidator.validate(new Model(g)));
        assertTrue(e.getMessage().startsWith("Conv node 'layer1.conv': input has 3 channels"), e.getMessage());
    }

    @Test
    void declaredOutputTypeMustMatchTheComputedOne() {
        Graph g = handGraph(true);
        g.outputs().get(0).setType(new TensorType(DataType.FLOAT, Shape.of("N", 3, 8, 9)));
        List<ModelValidator.Problem> p = ModelValidator.check(new Model(g));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).toString().startsWith("graph 'hand' output 'y': declared float[N, 3, 8, 9] but the"
                + " graph computes float[N, 3, 8, 8]"), p.toString());
    }

    @Test
    void structureAloneIsCheckedWithoutOpsetsOrTypes() {
        Graph g = handGraph(true);
        g.inputs().get(0).setType(null); // the type check would stop here; the structural check does not look
        Model m = new Model(g);
        m.opsetImports().clear();
        assertEquals(List.of(), ModelValidator.wellFormed(g));
        ModelValidator.requireWellFormed(g);

        g.nodes().get(1).replaceInput(0, new Value("ghost", null));
        ModelValidationException e = assertThrows(ModelValidationException.class,
                () -> ModelValidator.requireWellFormed(g));
        assertEquals("Sigmoid node 'sig': input 0: value 'ghost' is not defined in this graph or an enclosing one",
                e.getMessage());
        assertEquals(e.getMessage(), ModelValidator.check(m).get(1).toString(), "the same message either way");
    }
}

package dev.lathe.graph.pass;

import static dev.lathe.graph.pass.OrtHarness.assertSame;
import static dev.lathe.graph.pass.OrtHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopologicalSortTest {
    static final TensorType T = TensorType.of(DataType.FLOAT, 3, 5);

    /** A DAG of 12 elementwise nodes with diamonds and fan-out, nodes added in {@code shuffleSeed} order (or not). */
    static Model dag(Long shuffleSeed) {
        Graph g = new Graph("dag");
        Value x = g.addInput(new Value("x", T));
        List<Node> nodes = new ArrayList<>();
        List<Value> live = new ArrayList<>(List.of(x));
        String[] unary = {"Relu", "Tanh", "Sigmoid", "Neg", "Abs"};
        String[] binary = {"Add", "Mul", "Sub", "Max"};
        Random r = new Random(7);
        for (int i = 0; i < 12; i++) {
            Node n;
            if (i % 3 == 2) {
                Value a = live.get(r.nextInt(live.size()));
                Value c = live.get(r.nextInt(live.size()));
                n = node(g, binary[i % binary.length], List.of(a, c), Map.of(), T);
            } else {
                n = node(g, unary[i % unary.length], List.of(live.get(r.nextInt(live.size()))), Map.of(), T);
            }
            nodes.add(n);
            live.add(n.output(0));
        }
        Node sum = node(g, "Sum", live.subList(1, live.size()), Map.of(), T);
        nodes.add(sum);
        if (shuffleSeed != null) {
            Collections.shuffle(nodes, new Random(shuffleSeed));
        }
        nodes.forEach(g::addNode);
        g.addOutput(sum.output(0));
        return new Model(g);
    }

    @Test
    void sortsAShuffledGraphAndKeepsItsOutputs() throws Exception {
        Model sorted = dag(null);
        Model shuffled = dag(99L);
        assertThrows(PassException.class, () -> TopologicalSort.requireSorted(shuffled.graph()));
        List<String> shuffledOrder = shuffled.graph().nodes().stream().map(Node::name).toList();

        PassResult r = PassRunner.of("sort", new TopologicalSort()).checkingWellFormed().apply(shuffled);

        assertTrue(r.modified());
        TopologicalSort.requireSorted(shuffled.graph());
        assertEquals(13, shuffled.graph().nodes().size());
        assertFalse(shuffledOrder.equals(shuffled.graph().nodes().stream().map(Node::name).toList()));
        Map<String, Tensor> in = OrtHarness.gaussian("x", 4, 3, 5);
        // reference: the same DAG built in order; tolerance: bit-identical
        assertSame(OrtHarness.run(sorted, in), OrtHarness.run(shuffled, in));
        assertFalse(new TopologicalSort().apply(shuffled).modified(), "sorting is stable");
    }

    @Test
    void cycleFailsNamingANode() {
        Graph g = new Graph("cyclic");
        Value x = g.addInput(new Value("x", T));
        Node a = node(g, "Add", List.of(x, x), Map.of(), T);
        Node b = node(g, "Relu", List.of(a.output(0)), Map.of(), T);
        a.replaceInput(1, b.output(0));
        g.addNode(a);
        g.addNode(b);
        g.addOutput(b.output(0));
        PassFailedException e = assertThrows(PassFailedException.class,
                () -> PassRunner.of("sort", new TopologicalSort()).apply(new Model(g)));
        assertTrue(e.getMessage().contains("has a cycle through"), e.getMessage());
    }
}

package dev.lathe.graph.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassRunnerTest {

    static Model chain(int relus) {
        GraphBuilder b = new GraphBuilder("chain", 17);
        Value x = b.input("x", DataType.FLOAT, 2, 3);
        for (int i = 0; i < relus; i++) {
            x = b.ops().relu(x);
        }
        b.output(x, "y");
        return b.build();
    }

    /** Removes one Relu per run, to show the runner iterating to a fixed point. */
    static final class RemoveOneRelu implements Pass {
        @Override
        public PassResult apply(Model m) {
            for (Node n : m.graph().nodes()) {
                if (n.opType().equals("Relu") && !m.graph().outputs().contains(n.output(0))) {
                    n.output(0).replaceAllUsesWith(n.input(0));
                    m.graph().removeNode(n);
                    return new PassResult(m, true);
                }
            }
            return new PassResult(m, false);
        }
    }

    static final class Failing implements Pass {
        @Override
        public PassResult apply(Model m) {
            throw new IllegalStateException("node X is broken");
        }
    }

    /** Rewires a node to a value defined nowhere in the graph: a bug the well-formedness check must catch. */
    static final class Dangling implements Pass {
        @Override
        public PassResult apply(Model m) {
            m.graph().nodes().get(0).replaceInput(0, new Value("ghost", null));
            return new PassResult(m, true);
        }
    }

    @Test
    void runsToFixedPointAndRecordsEachStep() {
        Model m = chain(4);
        PassRunner once = PassRunner.of("once", new RemoveOneRelu());
        assertTrue(once.apply(m).modified());
        assertEquals(3, m.graph().nodes().size());

        PassRunner loop = PassRunner.of("loop", new RemoveOneRelu(), new TopologicalSort()).toFixedPoint(10);
        PassResult r = loop.apply(m);
        assertTrue(r.modified());
        assertEquals(1, m.graph().nodes().size(), "only the Relu producing the output remains");
        // rounds 1 and 2 each remove a Relu, round 3 changes nothing and ends the loop
        assertEquals(6, loop.lastRun().size());
        assertFalse(loop.lastRun().get(4).modified());
        assertEquals(3, loop.lastRun().get(5).round());
        assertFalse(loop.apply(m).modified());
    }

    @Test
    void failureNamesThePassAndThePassesBeforeIt() {
        PassRunner runner = PassRunner.of("pipeline", new TopologicalSort(), new DeadCodeElimination(), new Failing());
        PassFailedException e = assertThrows(PassFailedException.class, () -> runner.apply(chain(2)));
        assertEquals("Failing", e.failedPass());
        assertEquals(List.of("TopologicalSort", "DeadCodeElimination"), e.passesBefore());
        assertTrue(e.getMessage().contains("pass Failing failed after TopologicalSort -> DeadCodeElimination"),
                e.getMessage());
        assertTrue(e.getMessage().contains("node X is broken"), e.getMessage());
    }

    @Test
    void nestedRunnerFailureKeepsTheWholeHistory() {
        PassRunner inner = PassRunner.of("inner", new IdentityRemoval(), new Failing());
        PassRunner outer = PassRunner.of("outer", new TopologicalSort(), inner);
        PassFailedException e = assertThrows(PassFailedException.class, () -> outer.apply(chain(2)));
        assertEquals("Failing", e.failedPass());
        assertEquals(List.of("TopologicalSort", "IdentityRemoval"), e.passesBefore());
    }

    @Test
    void preconditionAndWellFormednessFailuresAreReported() {
        Pass needsTwoNodes = new Pass() {
            @Override
            public PassResult apply(Model m) {
                return new PassResult(m, false);
            }

            @Override
            public String name() {
                return "NeedsTwoNodes";
            }

            @Override
            public void requires(Model m) {
                if (m.graph().nodes().size() < 2) {
                    throw new PassException("needs at least two nodes, graph has " + m.graph().nodes().size());
                }
            }
        };
        PassFailedException pre = assertThrows(PassFailedException.class,
                () -> PassRunner.of("p", needsTwoNodes).apply(chain(1)));
        assertTrue(pre.getMessage().contains("needs at least two nodes"), pre.getMessage());

        // without the check the broken graph goes unnoticed; with it the runner names the pass
        PassRunner.of("unchecked", new Dangling()).apply(chain(2));
        PassFailedException wf = assertThrows(PassFailedException.class,
                () -> PassRunner.of("checked", new Dangling()).checkingWellFormed().apply(chain(2)));
        assertEquals("Dangling", wf.failedPass());
        assertTrue(wf.getMessage().contains("'ghost' is not defined"), wf.getMessage());
    }
}

package dev.lathe.graph.pass;

import static dev.lathe.graph.pass.OrtHarness.assertSame;
import static dev.lathe.graph.pass.OrtHarness.histogram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.validate.ModelValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityRemovalTest {

    @Test
    void removesIdentitiesAndKeepsGraphOutputNames() throws Exception {
        GraphBuilder b = new GraphBuilder("ids", 17);
        Value x = b.input("x", DataType.FLOAT, 2, 4);
        Value w = b.param("scale", Tensor.ofFloats(new long[] {4}, 1f, -2f, 3f, 0.5f));
        Value h = b.ops().relu(b.ops().identity(x));                 // Identity of a graph input, mid-graph
        Value scaled = b.ops().mul(h, b.ops().identity(w));           // Identity of an initializer
        Value tanh = b.ops().tanh(scaled);
        b.output(b.ops().identity(tanh), "features");               // Identity feeding an output: tanh takes the name
        b.output(b.ops().identity(x), "passthrough");               // input -> output: must stay
        b.output(b.ops().sigmoid(b.ops().identity(tanh)), "probs");  // Identity whose input also feeds an output
        Model m = b.build();
        assertEquals(5, histogram(m).get("Identity"));

        Map<String, Tensor> in = OrtHarness.gaussian("x", 2, 2, 4);
        Map<String, Tensor> before = OrtHarness.run(m, in);

        assertTrue(new IdentityRemoval().apply(m).modified());

        assertEquals(Map.of("Identity", 1, "Mul", 1, "Relu", 1, "Sigmoid", 1, "Tanh", 1), histogram(m));
        assertEquals(List.of("features", "passthrough", "probs"),
                m.graph().outputs().stream().map(Value::name).toList());
        assertEquals("Tanh", m.graph().outputs().get(0).producer().opType());
        assertEquals("Identity", m.graph().outputs().get(1).producer().opType());
        ModelValidator.requireWellFormed(m.graph());
        assertSame(before, OrtHarness.run(m, in)); // tolerance: bit-identical, Identity copies
        assertFalse(new IdentityRemoval().apply(m).modified());
    }
}

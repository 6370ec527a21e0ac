package dev.lathe.graph.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import org.junit.jupiter.api.Test;

/** The backward registry: immutable, keyed by op type and opset range, extended without touching the standard one. */
class BackwardRuleRegistryTest {
    private static final BackwardRule IDENTITY = c -> new Value[] {c.grad(0)};

    @Test
    void rulesAreChosenByOpsetRange() {
        BackwardRules std = BackwardRules.standard();
        assertNotSame(std.find("ReduceSum", 11), std.find("ReduceSum", 13), "axes attribute vs axes input");
        assertSame(std.find("ReduceMean", 13), std.find("ReduceMean", 17));
        assertNotSame(std.find("ReduceMean", 17), std.find("ReduceMean", 18));
        assertEquals(2, std.entries("ReduceL2").size());
        assertTrue(std.has("Relu", 6) && std.has("Relu", 21));
    }

    @Test
    void overlappingRegistrationFailsInsteadOfReplacing() {
        BackwardRules.Builder b = BackwardRules.standard().extend();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.add("Relu", IDENTITY));
        assertTrue(e.getMessage().contains("Relu") && e.getMessage().contains("overlaps"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> b.add("ReduceSum", 12, 14, IDENTITY));
    }

    @Test
    void extendingLeavesTheStandardRulesAlone() {
        BackwardRules mine = BackwardRules.standard().extend().add("com.example.Gate", 1, 2, IDENTITY)
                .add("Relu6Like", IDENTITY).build();
        assertNotNull(mine.find("Relu6Like", 17));
        assertSame(BackwardRules.standard().find("Conv", 17), mine.find("Conv", 17));
        assertFalse(BackwardRules.standard().has("Relu6Like", 17));
        assertFalse(mine.has("com.example.Gate", 2), "outside its range");
        assertThrows(UnsupportedOperationException.class, () -> mine.entries("Relu6Like").clear());
    }

    @Test
    void reductionsDifferentiateInEveryOpsetForm() throws Exception {
        // the attribute forms (ReduceSum < 13, ReduceMean/ReduceL2 < 18) and the input forms, by finite differences
        new GradCheck(DataType.DOUBLE, 90).opset(11).input("x", 2, 3, 4)
                .op((e, in) -> e.reduceSum(in.get("x"), false, 0, 2)).run();
        new GradCheck(DataType.DOUBLE, 91).opset(13).input("x", 2, 3, 4)
                .op((e, in) -> e.reduceSum(in.get("x"), true, -1)).run();
        new GradCheck(DataType.DOUBLE, 92).opset(18).input("x", 2, 3, 4)
                .op((e, in) -> e.reduceMean(in.get("x"), false, 1)).run();
        new GradCheck(DataType.DOUBLE, 93).opset(18).input("x", 2, 3, 4)
                .op((e, in) -> e.reduceL2(in.get("x"), true, 0, 2)).run();
    }
}

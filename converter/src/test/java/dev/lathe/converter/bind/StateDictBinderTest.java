package dev.lathe.converter.bind;

import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.Fixtures;
import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateDictBinderTest {

    /** generate.py's Small module built with the DSL: initializers carry the state_dict names. */
    static Model small(long width, boolean withFc, boolean extraHead) {
        GraphBuilder b = new GraphBuilder("small", Model.DEFAULT_OPSET);
        Nn nn = new Nn(b, 7);
        Value x = b.input("x", DataType.FLOAT, 1, 3, 8, 8);
        Value y = b.ops().relu(nn.batchNorm2d("bn", nn.conv2d("conv", x, width, ConvAttrs.same(3), false)));
        y = b.ops().flatten(b.ops().globalAveragePool(y), 1);
        if (withFc) {
            y = nn.linear("fc", y, 3, true);
        }
        if (extraHead) {
            y = nn.linear("head", y, 2, true);
        }
        b.output(y, "y");
        return b.build();
    }

    static Map<String, Tensor> initializers(Model m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.graph().initializers().forEach((k, v) -> out.put(k, v.constValue()));
        return out;
    }

    static StateDict load(String file) throws Exception {
        return StateDict.locate(Checkpoint.read(Fixtures.file(file)), null);
    }

    @Test
    void strictBindSetsEveryParameterBitForBitAndSetsAsideTheCounter() throws Exception {
        Model m = small(4, true, false);
        BindReport r = StateDictBinder.bind(m, load("wrap_state_dict.pth.tar"), true);
        assertTrue(r.clean() && r.applied(), r.toText());
        assertEquals(List.of("bn.num_batches_tracked"), r.counters());
        assertEquals(7, r.bound().size());
        Map<String, Tensor> inits = initializers(m);
        inits.keySet().removeIf(k -> !k.contains("."));
        var expected = Fixtures.expected().get("small").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).remove("bn.num_batches_tracked");
        Fixtures.assertAllSameAsTorch(expected, inits);
    }

    @Test
    void halfCheckpointIsConvertedIntoTheFloatGraphAndSaysSo() throws Exception {
        Model m = small(4, true, false);
        BindReport r = StateDictBinder.bind(m, load("half.pth"), true);
        assertEquals(7, r.converted().size());
        assertEquals("FLOAT16 -> FLOAT", r.converted().get("conv.weight"));
        assertTrue(r.toText().contains("converted dtype FLOAT16 -> FLOAT for 7 tensors"), r.toText());
        var expected = Fixtures.expected().get("small_half_as_float").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).remove("bn.num_batches_tracked");
        Map<String, Tensor> inits = initializers(m);
        inits.keySet().removeIf(k -> !k.contains("."));
        Fixtures.assertAllSameAsTorch(expected, inits);
    }

    @Test
    void strictBindReportsShapeMismatchesAndLeavesTheGraphAlone() throws Exception {
        Model m = small(3, true, false);
        Map<String, Tensor> before = initializers(m);
        BindException e = assertThrows(BindException.class, () -> StateDictBinder.bind(m, load("bare.pth"), true));
        BindReport r = e.report();
        assertFalse(r.applied());
        assertEquals(List.of("conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                "fc.weight"), r.mismatched().stream().map(BindReport.Mismatch::key).toList());
        assertTrue(e.getMessage().contains("size mismatch for conv.weight: copying a param with shape [4, 3, 3, 3] "
                + "from checkpoint, the shape in current model is [3, 3, 3, 3]"), e.getMessage());
        initializers(m).forEach((k, t) -> assertTrue(t == before.get(k), k + " changed"));
    }

    @Test
    void nonStrictBindsWhatMatchesAndListsMissingAndUnexpected() throws Exception {
        Model m = small(4, false, true);
        BindReport r = StateDictBinder.bind(m, load("bare.pth"), false);
        assertTrue(r.applied());
        assertEquals(List.of("head.weight", "head.bias"), r.missing());
        assertEquals(List.of("fc.weight", "fc.bias"), r.unexpected());
        assertEquals(List.of("conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"), r.bound());
        assertTrue(r.toText().contains("Missing key(s) in state_dict: \"head.weight\", \"head.bias\"."), r.toText());
        assertTrue(r.toText().contains("Unexpected key(s) in state_dict: \"fc.weight\", \"fc.bias\"."), r.toText());
        Fixtures.assertSameAsTorch("conv.weight", Fixtures.expected().get("small").get("conv.weight"),
                m.graph().initializer("conv.weight").constValue());
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, DtypeConversion.toBfloat16(1.0f));
        // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1+2^-7: ties go to the even mantissa (1.0)
        assertEquals((short) 0x3f80, DtypeConversion.toBfloat16(1.00390625f));
        assertEquals((short) 0x3f82, DtypeConversion.toBfloat16(1.01171875f));
    }
}

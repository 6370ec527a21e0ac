package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;
import static dev.lathe.graph.infer.OrtShapes.w;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link IndexingRules} against ONNX Runtime, Slice's clamping at the ends of an axis included. */
class IndexingRulesTest {
    @Test
    void concatSliceGatherSplitAndScatter() throws Exception {
        check("indexing", 17, b -> {
            Value x = b.graph().inputs().get(0);
            List<Value> o = new ArrayList<>();
            Value tail = b.ops().slice(x, new long[] {-2}, new long[] {Long.MAX_VALUE}, new long[] {-1},
                    new long[] {1});
            o.add(tail);
            o.add(b.ops().concat(-1, x, tail));
            // negative steps: a start before the axis clamps to 0 and an end before it to -1 (ONNX Slice spec)
            Value first = b.ops().slice(x, new long[] {-100}, new long[] {-200}, new long[] {3}, new long[] {-1});
            assertEquals(Shape.of("N", 4, 9, 1), first.shape());
            o.add(first);
            o.add(b.ops().slice(x, new long[] {Long.MAX_VALUE, 1}, new long[] {Long.MIN_VALUE, 9},
                    new long[] {2, 1}, new long[] {-4, 2}));
            o.add(b.ops().gather(x, b.constant(2, -1), -1));
            o.add(b.ops().gather(x, b.constant(Tensor.ofLongs(new long[0], -1)), 1));
            o.addAll(b.op("Split", List.of(x, b.constant(3, 6)), attrs("axis", Attr.of(2L)), 2));
            Value idx = b.constant(Tensor.zeros(DataType.INT64, 2, 4, 9, 3));
            o.add(op(b, "GatherElements", attrs("axis", Attr.of(3L)), x, idx));
            Value data = w(b, 3, 3);
            o.add(op(b, "ScatterElements", attrs(), data, b.constant(Tensor.zeros(DataType.INT64, 1, 3)),
                    w(b, 1, 3)));
            return o;
        });
    }
}

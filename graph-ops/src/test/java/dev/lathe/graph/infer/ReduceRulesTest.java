package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ReduceRules} against ONNX Runtime, with axes as attributes (before opset 18) and as inputs. */
class ReduceRulesTest {
    @Test
    void reductions() throws Exception {
        for (long opset : new long[] {13, 17, 18, 21}) {
            check("reduce" + opset, opset, b -> {
                Value x = b.graph().inputs().get(0);
                List<Value> o = new ArrayList<>();
                for (String r : List.of("ReduceMean", "ReduceL2", "ReduceMax")) {
                    if (opset >= 18) {
                        o.add(op(b, r, attrs("keepdims", Attr.of(0L)), x, b.constant(1, -1)));
                        o.add(op(b, r, Map.of(), x, b.constant(new long[] {2})));
                    } else {
                        o.add(op(b, r, attrs("axes", Attr.of(1L, -1L), "keepdims", Attr.of(0L)), x));
                        o.add(op(b, r, attrs("axes", Attr.of(new long[] {2})), x));
                    }
                    o.add(op(b, r, attrs("keepdims", Attr.of(0L)), x)); // all axes
                }
                o.add(b.ops().reduceSum(x, true, 1));
                o.add(op(b, "ReduceSum", attrs("noop_with_empty_axes", Attr.of(1L)), x));
                o.add(op(b, "ArgMax", attrs("axis", Attr.of(1L), "keepdims", Attr.of(0L)), x));
                o.add(op(b, "ArgMax", attrs("axis", Attr.of(-1L)), x));
                return o;
            });
        }
    }
}

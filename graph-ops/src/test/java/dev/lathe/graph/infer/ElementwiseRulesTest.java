package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;
import static dev.lathe.graph.infer.OrtShapes.w;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ElementwiseRules} against ONNX Runtime. */
class ElementwiseRulesTest {
    @Test
    void elementwiseAndComparisons() throws Exception {
        check("elementwise", 17, b -> {
            Value x = b.graph().inputs().get(0);
            List<Value> o = new ArrayList<>();
            Value row = w(b, 9);
            Value col = w(b, 4, 1, 1);
            o.add(b.ops().add(x, row));
            o.add(b.ops().sub(col, x));
            o.add(b.ops().mul(x, b.scalar(2f)));
            o.add(b.ops().div(x, col));
            o.add(b.ops().pow(x, b.scalar(2f)));
            o.add(b.ops().min(x, row, col));
            o.add(b.ops().max(x, b.scalar(0f)));
            Value less = b.ops().less(x, row);
            o.add(less);
            o.add(op(b, "Greater", Map.of(), x, col));
            o.add(op(b, "Equal", Map.of(), x, x));
            o.add(op(b, "Not", Map.of(), less));
            o.add(b.ops().where(less, x, col));
            o.add(op(b, "Cast", attrs("to", Attr.of((long) DataType.INT64.code())), x));
            o.add(b.ops().clip(x, 0f, 6f));
            for (String u : List.of("Relu", "Sigmoid", "Tanh", "Erf", "Softplus", "Exp", "Sqrt", "Reciprocal",
                    "Abs", "Neg")) {
                o.add(op(b, u, Map.of(), x));
            }
            o.add(b.ops().softmax(x, -1));
            o.add(b.ops().logSoftmax(x, 1));
            Value[] drop = b.op("Dropout", List.of(x), Map.of(), 2).toArray(new Value[0]);
            o.add(drop[0]);
            o.add(drop[1]);
            return o;
        });
        check("gelu", 20, b -> List.of(op(b, "Gelu", Map.of(), b.graph().inputs().get(0))));
    }
}

package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.op;
import static dev.lathe.graph.infer.OrtShapes.w;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ShapeOpRules} with a symbolic batch against ONNX Runtime, and through torch.onnx's shape chains. */
class ShapeOpRulesTest {
    @Test
    void shapeOpsWithSymbolicBatch() throws Exception {
        for (long opset : new long[] {13, 17, 18}) {
            check("shape" + opset, opset, b -> {
                Value x = b.graph().inputs().get(0);
                List<Value> o = new ArrayList<>();
                // torch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape
                Value shape = b.ops().shape(x);
                o.add(shape);
                Value n = b.ops().gather(shape, b.constant(Tensor.ofLongs(new long[0], 0)), 0);
                Value cat = b.ops().concat(0, b.ops().unsqueeze(n, 0), b.constant(-1));
                Value flat = b.ops().reshape(x, cat);
                assertEquals(Shape.of("N", 324), flat.shape());
                o.add(flat);
                o.add(b.ops().reshape(x, 0, 2, -1, 3));
                o.add(b.ops().reshape(x, 0, -1, 9));
                o.add(b.ops().transpose(x, 0, 2, 3, 1));
                o.add(b.ops().concat(1, x, x, b.ops().slice(x, new long[] {1}, new long[] {3}, new long[] {1},
                        new long[] {1})));
                o.addAll(b.ops().split(x, 2, 2, 7));
                o.add(b.ops().slice(x, new long[] {-1, 8}, new long[] {-100, 0}, new long[] {3, 2},
                        new long[] {-2, -3}));
                o.add(b.ops().slice(x, new long[] {0}, new long[] {Long.MAX_VALUE}, new long[] {0},
                        new long[] {1}));
                Value u = b.ops().unsqueeze(x, 0, -1);
                o.add(u);
                o.add(b.ops().squeeze(u, 0, 5));
                o.add(b.ops().tile(x, 1, 2, 1, 3));
                o.add(b.ops().expand(b.ops().globalAveragePool(x), 1, 4, 9, 9));
                Value expandShape = b.ops().concat(0, b.ops().unsqueeze(n, 0), b.constant(4, 2, 9));
                o.add(op(b, "Expand", Map.of(), w(b, 4, 1, 9), expandShape));
                o.add(op(b, "Size", Map.of(), x));
                o.add(op(b, "ConstantOfShape", attrs("value", Attr.of(Tensor.ofLongs(new long[] {1}, 3))),
                        b.constant(2, 3)));
                o.add(b.ops().gather(x, b.constant(Tensor.ofLongs(new long[] {2, 2}, 0, 1, 3, 2)), 1));
                o.add(op(b, "Range", Map.of(), b.constant(Tensor.ofLongs(new long[0], 1)),
                        b.constant(Tensor.ofLongs(new long[0], 10)), b.constant(Tensor.ofLongs(new long[0], 3))));
                o.add(op(b, "Constant", attrs("value_ints", Attr.of(1L, 2L, 3L))));
                o.add(op(b, "Identity", Map.of(), x));
                if (opset >= 15) {
                    o.add(op(b, "Shape", attrs("start", Attr.of(1L), "end", Attr.of(-1L)), x));
                }
                if (opset >= 18) {
                    List<Value> parts = b.op("Split", List.of(x), attrs("axis", Attr.of(3L), "num_outputs",
                            Attr.of(2L)), 2);
                    o.addAll(parts);
                } else {
                    o.addAll(b.op("Split", List.of(x), attrs("axis", Attr.of(1L)), 2));
                }
                return o;
            });
        }
    }

    @Test
    void reshapeKeepsSymbolicBatchThroughTorchStyleChain() {
        GraphBuilder b = new GraphBuilder("chain", 13);
        Value x = b.input("x", DataType.FLOAT, "batch", 2048, 1, 1);
        Value shape = b.ops().shape(x);
        Value n = b.ops().gather(shape, b.constant(Tensor.ofLongs(new long[0], 0)), 0);
        Value target = b.ops().concat(0, b.ops().unsqueeze(n, 0), b.constant(-1));
        assertEquals("[batch, -1]", ShapeValue.of(target).toString());
        assertEquals(Shape.of("batch", 2048), b.ops().reshape(x, target).shape());
        Value cast = op(b, "Cast", attrs("to", Attr.of((long) DataType.INT64.code())), target);
        assertEquals(Shape.of("batch", 2048), b.ops().reshape(x, cast).shape());
    }
}

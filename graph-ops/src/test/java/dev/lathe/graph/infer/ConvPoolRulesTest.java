package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OrtShapes.attrs;
import static dev.lathe.graph.infer.OrtShapes.check;
import static dev.lathe.graph.infer.OrtShapes.ones;
import static dev.lathe.graph.infer.OrtShapes.op;
import static dev.lathe.graph.infer.OrtShapes.w;

import dev.lathe.graph.build.ConvAttrs;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ConvPoolRules} against ONNX Runtime. */
class ConvPoolRulesTest {
    @Test
    void convolutionsAndPools() throws Exception {
        for (long opset : new long[] {13, 17, 21}) {
            check("conv" + opset, opset, b -> {
                Value x = b.graph().inputs().get(0);
                List<Value> o = new ArrayList<>();
                o.add(b.ops().conv(x, w(b, 6, 4, 3, 3), w(b, 6), new ConvAttrs(3, 2, 1, 1, 1)));
                o.add(b.ops().conv(x, w(b, 4, 1, 3, 3), null, new ConvAttrs(3, 1, 0, 2, 4))); // depthwise dilated
                o.add(op(b, "Conv", attrs("auto_pad", Attr.of("SAME_UPPER"), "strides", Attr.of(2L, 2L)), x,
                        w(b, 8, 4, 2, 2)));
                o.add(op(b, "ConvTranspose", attrs("strides", Attr.of(2L, 2L), "pads", Attr.of(1L, 1L, 1L, 1L),
                        "output_padding", Attr.of(1L, 1L)), x, w(b, 4, 3, 3, 3)));
                o.add(op(b, "ConvTranspose", attrs("strides", Attr.of(2L, 2L), "group", Attr.of(2L)), x,
                        w(b, 4, 2, 4, 4)));
                o.add(b.ops().maxPool(x, ConvAttrs.of(3, 2, 1)));
                o.add(op(b, "MaxPool", attrs("kernel_shape", Attr.of(2L, 2L), "strides", Attr.of(2L, 2L),
                        "ceil_mode", Attr.of(1L)), x));
                o.add(op(b, "MaxPool", attrs("kernel_shape", Attr.of(3L, 3L), "strides", Attr.of(2L, 2L),
                        "pads", Attr.of(1L, 1L, 1L, 1L), "ceil_mode", Attr.of(1L)), x));
                o.add(op(b, "AveragePool", attrs("kernel_shape", Attr.of(3L, 3L), "strides", Attr.of(2L, 2L),
                        "ceil_mode", Attr.of(1L), "count_include_pad", Attr.of(0L)), x));
                o.add(op(b, "AveragePool", attrs("kernel_shape", Attr.of(2L, 2L), "strides", Attr.of(3L, 3L),
                        "auto_pad", Attr.of("SAME_LOWER")), x));
                o.add(b.ops().averagePool(x, ConvAttrs.of(3, 1, 1), true));
                o.add(b.ops().globalAveragePool(x));
                o.add(op(b, "GlobalMaxPool", Map.of(), x));
                o.add(b.ops().batchNorm(x, w(b, 4), w(b, 4), w(b, 4), b.constant(ones(4)), 1e-5f));
                o.add(op(b, "DepthToSpace", attrs("blocksize", Attr.of(2L), "mode", Attr.of("CRD")), x));
                return o;
            });
        }
    }
}

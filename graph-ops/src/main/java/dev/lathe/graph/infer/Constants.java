package dev.lathe.graph.infer;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;

/** Finds the constant behind a value: an initializer, or the output of a {@code Constant} node. */
public final class Constants {
    private Constants() {}

    public static Tensor valueOf(Value v) {
        if (v.constValue() != null) {
            return v.constValue();
        }
        Node p = v.producer();
        if (p != null && p.opType().equals("Constant") && p.domain().isEmpty()) {
            Attr a = p.attr("value");
            if (a instanceof Attr.TensorAttr t) {
                return t.value();
            }
            if (p.attr("value_int") instanceof Attr.IntAttr i) {
                return Tensor.ofLongs(new long[0], i.value());
            }
            if (p.attr("value_ints") instanceof Attr.IntsAttr is) {
                return Tensor.vector(is.values());
            }
            if (p.attr("value_float") instanceof Attr.FloatAttr f) {
                return Tensor.scalar(f.value());
            }
            if (p.attr("value_floats") instanceof Attr.FloatsAttr fs) {
                return Tensor.ofFloats(new long[] {fs.values().length}, fs.values());
            }
        }
        return null;
    }
}

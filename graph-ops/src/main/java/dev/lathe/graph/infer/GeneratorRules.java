package dev.lathe.graph.infer;

import static dev.lathe.graph.infer.OnnxRules.unknownShape;

import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import java.util.List;

/**
 * Shape rules of ops that make a tensor from attributes or shapes rather than from an input's elements: Shape,
 * Size, Constant, ConstantOfShape and Range.
 */
final class GeneratorRules {
    private GeneratorRules() {}

    static void registerAll() {
        ShapeInference.register("Shape", GeneratorRules::shapeOp);
        ShapeInference.register("Size", c -> List.of(new TensorType(DataType.INT64, new Shape(List.of()))));
        ShapeInference.register("Constant", GeneratorRules::constant);
        ShapeInference.register("ConstantOfShape", GeneratorRules::constantOfShape);
        ShapeInference.register("Range", GeneratorRules::range);
    }

    private static List<TensorType> shapeOp(InferenceContext c) {
        Shape s = c.shape(0);
        int r = s.rank();
        int[] window = IntOps.shapeWindow(c.attrInt("start", 0), c.attrInt("end", r), r);
        return List.of(TensorType.of(DataType.INT64, window[1] - window[0]));
    }

    private static List<TensorType> constant(InferenceContext c) {
        Tensor t = Constants.valueOf(c.node().output(0));
        if (t != null) {
            return List.of(t.type());
        }
        Attr a = c.attr("value_string");
        if (a != null) {
            return List.of(TensorType.of(DataType.STRING));
        }
        if (c.attr("value_strings") instanceof Attr.StringsAttr ss) {
            return List.of(TensorType.of(DataType.STRING, ss.values().size()));
        }
        throw c.fail("has no value attribute Lathe can read (value, value_int(s), value_float(s), value_string(s))");
    }

    private static List<TensorType> constantOfShape(InferenceContext c) {
        DataType dt = DataType.FLOAT;
        if (c.attr("value") instanceof Attr.TensorAttr t) {
            dt = t.value().dtype();
        }
        ShapeValue v = c.shapeValue(0);
        Shape s = v != null ? v.toShape() : unknownShape(c, 0);
        return List.of(new TensorType(dt, s));
    }

    private static List<TensorType> range(InferenceContext c) {
        Tensor start = c.constant(0);
        Tensor limit = c.constant(1);
        Tensor delta = c.constant(2);
        if (start == null || limit == null || delta == null) {
            return List.of(new TensorType(c.dtype(0), Shape.of((Object) null)));
        }
        double s = start.toDoubles()[0];
        double l = limit.toDoubles()[0];
        double d = delta.toDoubles()[0];
        if (d == 0) {
            throw c.fail("delta is 0");
        }
        long n = Math.max(0, (long) Math.ceil((l - s) / d));
        return List.of(TensorType.of(c.dtype(0), n));
    }
}

package dev.lathe.runtime;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;

/**
 * A session input or output as the compiled model declares it: name, element type and a shape whose dimensions
 * may be symbolic ("N" for a dynamic batch) or unknown.
 */
public record TensorSpec(String name, DataType dtype, Shape shape) {

    /** Whether a concrete shape fits: same rank, and every fixed dimension equal. */
    public boolean accepts(long[] concrete) {
        if (concrete.length != shape.rank()) {
            return false;
        }
        for (int i = 0; i < concrete.length; i++) {
            Dim d = shape.get(i);
            if (d.isFixed() && d.size() != concrete[i]) {
                return false;
            }
        }
        return true;
    }

    /** Like "float32[N,3,224,224]". */
    public String describe() {
        StringBuilder sb = new StringBuilder(dtypeName(dtype)).append('[');
        for (int i = 0; i < shape.rank(); i++) {
            sb.append(i == 0 ? "" : ",").append(shape.get(i));
        }
        return sb.append(']').toString();
    }

    /** NumPy-style names: float32, float16, int64, bool... */
    public static String dtypeName(DataType t) {
        if (t == DataType.FLOAT) {
            return "float32";
        } else if (t == DataType.DOUBLE) {
            return "float64";
        } else if (t == DataType.BOOL) {
            return "bool";
        }
        return t.name().toLowerCase(java.util.Locale.ROOT);
    }
}

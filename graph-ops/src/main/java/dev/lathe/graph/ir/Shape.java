package dev.lathe.graph.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A tensor shape: an ordered list of dimensions. */
public record Shape(List<Dim> dims) {

    public Shape {
        dims = List.copyOf(dims);
    }

    public static Shape of(long... sizes) {
        List<Dim> d = new ArrayList<>(sizes.length);
        for (long s : sizes) {
            d.add(Dim.of(s));
        }
        return new Shape(d);
    }

    /** Mixed shape: each element a Number (fixed), a String (symbolic) or null (unknown). */
    public static Shape of(Object... dims) {
        List<Dim> d = new ArrayList<>(dims.length);
        for (Object o : dims) {
            if (o == null) {
                d.add(Dim.UNKNOWN);
            } else if (o instanceof Dim dim) {
                d.add(dim);
            } else if (o instanceof Number n) {
                d.add(Dim.of(n.longValue()));
            } else {
                d.add(Dim.of(o.toString()));
            }
        }
        return new Shape(d);
    }

    public int rank() {
        return dims.size();
    }

    public Dim get(int i) {
        return dims.get(i < 0 ? i + dims.size() : i);
    }

    public boolean isStatic() {
        return dims.stream().allMatch(Dim::isFixed);
    }

    /** Sizes of a static shape; throws naming the offending dimension otherwise. */
    public long[] toArray() {
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims.get(i).size();
        }
        return out;
    }

    /** Product of the sizes; throws if any dimension is not fixed. */
    public long numel() {
        long n = 1;
        for (Dim d : dims) {
            n *= d.size();
        }
        return n;
    }

    public Shape with(int i, Dim d) {
        List<Dim> copy = new ArrayList<>(dims);
        copy.set(i < 0 ? i + dims.size() : i, d);
        return new Shape(copy);
    }

    @Override
    public String toString() {
        return dims.toString();
    }

    public static String format(long[] sizes) {
        return Arrays.toString(sizes);
    }
}

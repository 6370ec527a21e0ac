package dev.lathe.graph.infer;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The value of a small integer tensor (a scalar or a vector) computed from shapes, element by element: each element
 * is a known integer, a symbolic dimension ("N") or unknown. torch.onnx builds the target of {@code x.view(x.size(0),
 * -1)} as Shape -> Gather -> Unsqueeze -> Concat; evaluating that chain symbolically is what lets Reshape keep the
 * symbolic batch dimension instead of losing it.
 *
 * <p>{@link #of} walks back through Shape, Size, Gather, Slice, Concat, Unsqueeze, Squeeze, Cast, Identity and
 * integer Add/Sub/Mul/Div from constants and typed values; anything else gives null (not evaluable).
 */
public record ShapeValue(List<Term> terms, boolean scalar) {
    /** Constants larger than this are data, not shapes: never read element by element. */
    private static final long MAX_CONSTANT_ELEMENTS = 1024;
    private static final int MAX_DEPTH = 64;

    public ShapeValue {
        terms = List.copyOf(terms);
        if (scalar && terms.size() != 1) {
            throw new IllegalArgumentException("a scalar shape value has one term, got " + terms.size());
        }
    }

    /** One element: a known integer ({@code dim == null}, may be negative such as Reshape's -1) or a dimension. */
    public record Term(long value, Dim dim) {
        public static Term known(long v) {
            return new Term(v, null);
        }

        public static Term of(Dim d) {
            return d instanceof Dim.Fixed f ? known(f.size()) : new Term(0, d);
        }

        public static final Term UNKNOWN = new Term(0, Dim.UNKNOWN);

        public boolean isKnown() {
            return dim == null;
        }

        /** As a dimension: fixed when known and non-negative, the symbol when symbolic, else unknown. */
        public Dim toDim() {
            if (dim != null) {
                return dim;
            }
            return value >= 0 ? Dim.of(value) : Dim.UNKNOWN;
        }

        @Override
        public String toString() {
            return dim == null ? Long.toString(value) : dim.toString();
        }
    }

    public int size() {
        return terms.size();
    }

    public Term get(int i) {
        return terms.get(i);
    }

    /** Known values of all terms, or null if any term is not a known integer. */
    public long[] knownValues() {
        long[] out = new long[terms.size()];
        for (int i = 0; i < out.length; i++) {
            if (!terms.get(i).isKnown()) {
                return null;
            }
            out[i] = terms.get(i).value();
        }
        return out;
    }

    /** The shape this vector describes (for Expand, ConstantOfShape): negative or unknown terms become unknown. */
    public Shape toShape() {
        List<Dim> d = new ArrayList<>(terms.size());
        for (Term t : terms) {
            d.add(t.toDim());
        }
        return new Shape(d);
    }

    @Override
    public String toString() {
        return scalar ? terms.get(0).toString() : terms.toString();
    }

    /** Evaluates a value symbolically; null when it is not a small integer scalar/vector computed from shapes. */
    public static ShapeValue of(Value v) {
        return eval(v, 0);
    }

    private static ShapeValue eval(Value v, int depth) {
        if (v == null || depth > MAX_DEPTH) {
            return null;
        }
        Tensor t = Constants.valueOf(v);
        if (t != null) {
            return fromConstant(t);
        }
        Node p = v.producer();
        if (p == null || !p.domain().isEmpty()) {
            return null;
        }
        switch (p.opType()) {
            case "Shape":
                return shapeOf(p);
            case "Size": {
                Shape s = p.input(0).shape();
                if (s == null) {
                    return null;
                }
                Term prod = Term.known(1);
                for (Dim d : s.dims()) {
                    prod = multiply(prod, Term.of(d));
                }
                return new ShapeValue(List.of(prod), true);
            }
            case "Identity":
                return eval(p.input(0), depth + 1);
            case "Cast": {
                DataType to = DataType.fromCode((int) p.attrInt("to", 0));
                return to.isInteger() ? eval(p.input(0), depth + 1) : null;
            }
            case "Gather":
                return gather(p, depth);
            case "Slice":
                return slice(p, depth);
            case "Concat":
                return concat(p, depth);
            case "Unsqueeze": {
                ShapeValue in = eval(p.input(0), depth + 1);
                return in != null && in.scalar ? new ShapeValue(in.terms, false) : null;
            }
            case "Squeeze": {
                ShapeValue in = eval(p.input(0), depth + 1);
                return in != null && !in.scalar && in.size() == 1 ? new ShapeValue(in.terms, true) : null;
            }
            case "Add":
            case "Sub":
            case "Mul":
            case "Div":
                return arithmetic(p, depth);
            default:
                return null;
        }
    }

    private static ShapeValue fromConstant(Tensor t) {
        if (!(t.dtype() == DataType.INT64 || t.dtype() == DataType.INT32) || t.rank() > 1
                || t.numel() > MAX_CONSTANT_ELEMENTS) {
            return null;
        }
        List<Term> terms = new ArrayList<>();
        for (long x : t.toLongs()) {
            terms.add(Term.known(x));
        }
        return new ShapeValue(terms, t.rank() == 0);
    }

    private static ShapeValue shapeOf(Node p) {
        Shape s = p.input(0).shape();
        if (s == null) {
            return null;
        }
        int r = s.rank();
        int[] window = IntOps.shapeWindow(p.attrInt("start", 0), p.attrInt("end", r), r);
        List<Term> terms = new ArrayList<>();
        for (int i = window[0]; i < window[1]; i++) {
            terms.add(Term.of(s.get(i)));
        }
        return new ShapeValue(terms, false);
    }

    private static ShapeValue gather(Node p, int depth) {
        ShapeValue data = eval(p.input(0), depth + 1);
        Tensor idx = Constants.valueOf(p.input(1));
        if (data == null || data.scalar || idx == null || idx.rank() > 1 || p.attrInt("axis", 0) != 0) {
            return null;
        }
        List<Term> out = new ArrayList<>();
        for (long i : idx.toLongs()) {
            long j = IntOps.gatherIndex(i, data.size());
            if (j < 0) {
                return null;
            }
            out.add(data.get((int) j));
        }
        return new ShapeValue(out, idx.rank() == 0);
    }

    private static ShapeValue slice(Node p, int depth) {
        ShapeValue data = eval(p.input(0), depth + 1);
        if (data == null || data.scalar) {
            return null;
        }
        long[] axes = longs(p, 3, "axes");
        if ((p.input(3) != null && axes == null) || (p.input(4) != null && longs(p, 4, null) == null)) {
            return null;
        }
        IntOps.SliceWindow w = IntOps.SliceWindow.of(new long[] {data.size()}, longs(p, 1, "starts"),
                longs(p, 2, "ends"), axes, longs(p, 4, null));
        if (w == null) {
            return null;
        }
        List<Term> out = new ArrayList<>();
        for (long i = 0; i < w.outDims()[0]; i++) {
            out.add(data.get((int) (w.starts()[0] + i * w.steps()[0])));
        }
        return new ShapeValue(out, false);
    }

    /** Slice parameters come from input i (opset 10+) or, before that, from attribute {@code attr}. */
    private static long[] longs(Node p, int i, String attr) {
        if (p.input(i) != null) {
            Tensor t = Constants.valueOf(p.input(i));
            return t == null ? null : t.toLongs();
        }
        return attr == null ? null : p.attrInts(attr, null);
    }

    private static ShapeValue concat(Node p, int depth) {
        List<Term> out = new ArrayList<>();
        for (Value in : p.inputs()) {
            ShapeValue s = eval(in, depth + 1);
            if (s == null || s.scalar) {
                return null;
            }
            out.addAll(s.terms);
        }
        return new ShapeValue(out, false);
    }

    private static ShapeValue arithmetic(Node p, int depth) {
        ShapeValue a = eval(p.input(0), depth + 1);
        ShapeValue b = eval(p.input(1), depth + 1);
        if (a == null || b == null) {
            return null;
        }
        long[] outDims = IntOps.broadcast(a.dims(), b.dims());
        if (outDims == null) {
            return null;
        }
        long[] ai = IntOps.broadcastIndex(a.dims(), outDims);
        long[] bi = IntOps.broadcastIndex(b.dims(), outDims);
        List<Term> out = new ArrayList<>();
        for (int i = 0; i < ai.length; i++) {
            out.add(apply(p.opType(), a.get((int) ai[i]), b.get((int) bi[i])));
        }
        return new ShapeValue(out, outDims.length == 0);
    }

    /** The tensor shape of this value: {@code []} for a scalar, {@code [size]} for a vector. */
    private long[] dims() {
        return scalar ? new long[0] : new long[] {terms.size()};
    }

    /** Symbolic identities (x*1, x+0, x-0, x/1) keep a dimension; known operands follow {@link IntOps}. */
    private static Term apply(String op, Term x, Term y) {
        if (op.equals("Mul")) {
            return multiply(x, y);
        }
        if (op.equals("Div") && y.isKnown() && y.value() == 1) {
            return x;
        }
        if ((op.equals("Add") || op.equals("Sub")) && y.isKnown() && y.value() == 0) {
            return x;
        }
        if (!x.isKnown() || !y.isKnown()) {
            return Term.UNKNOWN;
        }
        OptionalLong r = IntOps.arithmetic(op, x.value(), y.value());
        return r.isPresent() ? Term.known(r.getAsLong()) : Term.UNKNOWN;
    }

    private static Term multiply(Term x, Term y) {
        if (x.isKnown() && y.isKnown()) {
            return Term.known(x.value() * y.value());
        }
        if (x.isKnown() && x.value() == 1) {
            return y;
        }
        if (y.isKnown() && y.value() == 1) {
            return x;
        }
        return Term.UNKNOWN;
    }
}

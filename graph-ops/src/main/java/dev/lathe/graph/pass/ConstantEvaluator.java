package dev.lathe.graph.pass;

import dev.lathe.graph.infer.Constants;
import dev.lathe.graph.infer.IntOps;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Evaluates, in Java, the small integer and shape operators torch.onnx emits around {@code Reshape}: Constant,
 * Identity, Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Cast, Reshape, Add/Sub/Mul/Div on int32/int64,
 * ConstantOfShape and Range. Semantics follow the ai.onnx operator specification at the model's opset (attributes
 * that became inputs are read from wherever that opset keeps them).
 *
 * <p>Anything doubtful returns null and the node is left for the runtime: an op not listed, float arithmetic, an
 * out-of-range index, a division by zero, a float-to-integer cast out of range, or a computed result over
 * {@link #MAX_COMPUTED_ELEMENTS} elements. Ops that only reinterpret dimensions (Identity, Reshape, Squeeze,
 * Unsqueeze) share the input's buffer and have no size limit.
 */
final class ConstantEvaluator {
    /** Computed results above this size stay in the graph: folding them would store big tensors in the file. */
    static final long MAX_COMPUTED_ELEMENTS = 1 << 16;

    static final Set<String> OPS = Set.of("Constant", "Identity", "Shape", "Gather", "Unsqueeze", "Squeeze",
            "Concat", "Slice", "Cast", "Reshape", "Add", "Sub", "Mul", "Div", "ConstantOfShape", "Range");

    private ConstantEvaluator() {}

    /**
     * The value of {@code n}'s single output, or null when it cannot or should not be computed here. {@code in}
     * holds the constant inputs (null where an input is absent or not constant).
     */
    static Tensor evaluate(Node n, Tensor[] in, long opset) {
        if (!n.domain().isEmpty() || !OPS.contains(n.opType()) || n.outputs().size() != 1) {
            return null;
        }
        switch (n.opType()) {
            case "Constant":
                return Constants.valueOf(n.output(0));
            case "Shape":
                return shape(n, opset);
            default:
                break;
        }
        for (int i = 0; i < in.length; i++) {
            if (n.input(i) != null && in[i] == null) {
                return null; // a present input that is not constant
            }
        }
        if (in.length == 0 || in[0] == null || in[0].dtype() == DataType.STRING) {
            return null;
        }
        switch (n.opType()) {
            case "Identity":
                return in[0];
            case "Reshape":
                return reshape(n, in);
            case "Unsqueeze":
                return unsqueeze(n, in, opset);
            case "Squeeze":
                return squeeze(n, in, opset);
            case "ConstantOfShape":
                return constantOfShape(n, in[0]);
            case "Range":
                return range(in);
            default:
                break;
        }
        Tensor out = switch (n.opType()) {
            case "Gather" -> gather(n, in);
            case "Concat" -> concat(n, in);
            case "Slice" -> slice(n, in, opset);
            case "Cast" -> cast(n, in[0]);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n.opType(), in);
            default -> null;
        };
        return out;
    }

    // ---- shape ops ----

    private static Tensor shape(Node n, long opset) {
        Value x = n.input(0);
        if (x == null) {
            return null;
        }
        Tensor c = Constants.valueOf(x);
        long[] dims;
        if (c != null) {
            dims = c.dims();
        } else {
            Shape s = x.shape();
            if (s == null || !s.isStatic()) {
                return null;
            }
            dims = s.toArray();
        }
        int[] range = shapeRange(n, dims.length, opset);
        return Tensor.vector(Arrays.copyOfRange(dims, range[0], range[1]));
    }

    /** Shape's [start, end) window over the dimensions (attributes from opset 15). */
    static int[] shapeRange(Node n, int rank, long opset) {
        return opset >= 15 ? IntOps.shapeWindow(n.attrInt("start", 0), n.attrInt("end", rank), rank)
                : new int[] {0, rank};
    }

    private static Tensor reshape(Node n, Tensor[] in) {
        if (in.length < 2 || in[1] == null) {
            return null;
        }
        long[] target = IntOps.reshapeTarget(in[0].dims(), in[1].toLongs(), n.attrInt("allowzero", 0) != 0);
        if (target == null) {
            return null;
        }
        return Tensor.of(in[0].dtype(), target, in[0].data());
    }

    private static long[] axesOf(Node n, Tensor[] in, long opset, long opsetMovedToInput) {
        if (opset >= opsetMovedToInput) {
            return in.length > 1 && in[1] != null ? in[1].toLongs() : null;
        }
        return n.attrInts("axes", null);
    }

    private static Tensor unsqueeze(Node n, Tensor[] in, long opset) {
        long[] axes = axesOf(n, in, opset, 13);
        if (axes == null) {
            return null;
        }
        long[] dims = in[0].dims();
        int rank = dims.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            long ax = a < 0 ? a + rank : a;
            if (ax < 0 || ax >= rank || inserted[(int) ax]) {
                return null;
            }
            inserted[(int) ax] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : dims[j++];
        }
        return Tensor.of(in[0].dtype(), out, in[0].data());
    }

    private static Tensor squeeze(Node n, Tensor[] in, long opset) {
        long[] axes = axesOf(n, in, opset, 13);
        long[] dims = in[0].dims();
        boolean[] drop = new boolean[dims.length];
        if (axes == null) {
            for (int i = 0; i < dims.length; i++) {
                drop[i] = dims[i] == 1;
            }
        } else {
            for (long a : axes) {
                long ax = a < 0 ? a + dims.length : a;
                if (ax < 0 || ax >= dims.length || dims[(int) ax] != 1) {
                    return null;
                }
                drop[(int) ax] = true;
            }
        }
        long[] out = new long[dims.length];
        int r = 0;
        for (int i = 0; i < dims.length; i++) {
            if (!drop[i]) {
                out[r++] = dims[i];
            }
        }
        return Tensor.of(in[0].dtype(), Arrays.copyOf(out, r), in[0].data());
    }

    private static Tensor constantOfShape(Node n, Tensor shape) {
        long[] dims = shape.toLongs();
        for (long d : dims) {
            if (d < 0) {
                return null;
            }
        }
        if (Tensor.numel(dims) > MAX_COMPUTED_ELEMENTS) {
            return null;
        }
        Tensor fill = n.attr("value") instanceof Attr.TensorAttr t ? t.value() : Tensor.scalar(0f);
        int es = elementSize(fill.dtype());
        if (es < 0 || fill.numel() != 1) {
            return null;
        }
        byte[] one = bytes(fill);
        byte[] out = new byte[(int) (Tensor.numel(dims) * es)];
        for (int i = 0; i < out.length; i += es) {
            System.arraycopy(one, 0, out, i, es);
        }
        return fromBytes(fill.dtype(), dims, out);
    }

    private static Tensor range(Tensor[] in) {
        if (in.length != 3 || in[1] == null || in[2] == null) {
            return null;
        }
        DataType t = in[0].dtype();
        if (!(t == DataType.INT64 || t == DataType.INT32 || t == DataType.INT16) || in[0].numel() != 1
                || in[1].numel() != 1 || in[2].numel() != 1) {
            return null; // float ranges accumulate rounding in the runtime; they stay there
        }
        long start = in[0].toLongs()[0];
        long limit = in[1].toLongs()[0];
        long delta = in[2].toLongs()[0];
        long count = IntOps.rangeCount(start, limit, delta);
        if (count < 0 || count > MAX_COMPUTED_ELEMENTS) {
            return null;
        }
        long[] v = new long[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = start + i * delta;
        }
        return Tensor.fromLongs(t, new long[] {count}, v);
    }

    // ---- data movement ----

    private static Tensor gather(Node n, Tensor[] in) {
        Tensor data = in[0];
        Tensor idx = in[1];
        int es = elementSize(data.dtype());
        if (es < 0 || idx == null || !(idx.dtype() == DataType.INT64 || idx.dtype() == DataType.INT32)
                || data.rank() == 0) {
            return null;
        }
        long[] dims = data.dims();
        int ax = IntOps.axis(n.attrInt("axis", 0), dims.length);
        if (ax < 0) {
            return null;
        }
        long[] idxDims = idx.dims();
        long[] outDims = new long[dims.length - 1 + idxDims.length];
        System.arraycopy(dims, 0, outDims, 0, ax);
        System.arraycopy(idxDims, 0, outDims, ax, idxDims.length);
        System.arraycopy(dims, ax + 1, outDims, ax + idxDims.length, dims.length - ax - 1);
        if (Tensor.numel(outDims) > MAX_COMPUTED_ELEMENTS) {
            return null;
        }
        long outer = Tensor.numel(Arrays.copyOfRange(dims, 0, ax));
        long inner = Tensor.numel(Arrays.copyOfRange(dims, ax + 1, dims.length));
        long[] indices = idx.toLongs();
        byte[] src = bytes(data);
        byte[] dst = new byte[(int) (Tensor.numel(outDims) * es)];
        int chunk = (int) (inner * es);
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (long k : indices) {
                long i = IntOps.gatherIndex(k, dims[ax]);
                if (i < 0) {
                    return null;
                }
                System.arraycopy(src, (int) ((o * dims[ax] + i) * chunk), dst, pos, chunk);
                pos += chunk;
            }
        }
        return fromBytes(data.dtype(), outDims, dst);
    }

    private static Tensor concat(Node n, Tensor[] in) {
        DataType t = in[0].dtype();
        int es = elementSize(t);
        List<long[]> dims = new ArrayList<>();
        for (Tensor x : in) {
            if (x == null || x.dtype() != t) {
                return null;
            }
            dims.add(x.dims());
        }
        long axis = n.attrInt("axis", Long.MIN_VALUE);
        long[] outDims = IntOps.concatDims(dims, axis);
        if (es < 0 || outDims == null || Tensor.numel(outDims) > MAX_COMPUTED_ELEMENTS) {
            return null;
        }
        int rank = outDims.length;
        int ax = IntOps.axis(axis, rank);
        long outer = Tensor.numel(Arrays.copyOfRange(outDims, 0, ax));
        long inner = Tensor.numel(Arrays.copyOfRange(outDims, ax + 1, rank));
        byte[][] srcs = new byte[in.length][];
        for (int i = 0; i < in.length; i++) {
            srcs[i] = bytes(in[i]);
        }
        byte[] dst = new byte[(int) (Tensor.numel(outDims) * es)];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (int i = 0; i < in.length; i++) {
                int chunk = (int) (in[i].dim(ax) * inner * es);
                System.arraycopy(srcs[i], (int) (o * chunk), dst, pos, chunk);
                pos += chunk;
            }
        }
        return fromBytes(t, outDims, dst);
    }

    private static Tensor slice(Node n, Tensor[] in, long opset) {
        Tensor data = in[0];
        int es = elementSize(data.dtype());
        if (es < 0) {
            return null;
        }
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (opset >= 10) {
            if (in.length < 3 || in[1] == null || in[2] == null) {
                return null;
            }
            starts = in[1].toLongs();
            ends = in[2].toLongs();
            axes = in.length > 3 && in[3] != null ? in[3].toLongs() : null;
            steps = in.length > 4 && in[4] != null ? in[4].toLongs() : null;
        } else {
            starts = n.attrInts("starts", null);
            ends = n.attrInts("ends", null);
            axes = n.attrInts("axes", null);
        }
        long[] dims = data.dims();
        IntOps.SliceWindow w = IntOps.SliceWindow.of(dims, starts, ends, axes, steps);
        if (w == null || Tensor.numel(w.outDims()) > MAX_COMPUTED_ELEMENTS) {
            return null;
        }
        long[] inStrides = new long[dims.length];
        long s = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            inStrides[d] = s;
            s *= dims[d];
        }
        byte[] src = bytes(data);
        long outN = Tensor.numel(w.outDims());
        byte[] dst = new byte[(int) (outN * es)];
        for (long o = 0; o < outN; o++) {
            long rem = o;
            long off = 0;
            for (int d = dims.length - 1; d >= 0; d--) {
                long i = rem % w.outDims()[d];
                rem /= w.outDims()[d];
                off += (w.starts()[d] + i * w.steps()[d]) * inStrides[d];
            }
            System.arraycopy(src, (int) (off * es), dst, (int) (o * es), es);
        }
        return fromBytes(data.dtype(), w.outDims(), dst);
    }

    // ---- numeric ----

    private static final Set<DataType> CAST_TYPES = Set.of(DataType.INT64, DataType.INT32, DataType.INT16,
            DataType.INT8, DataType.UINT8, DataType.BOOL, DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16);

    private static Tensor cast(Node n, Tensor x) {
        long code = n.attrInt("to", -1);
        DataType to;
        try {
            to = DataType.fromCode((int) code);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!CAST_TYPES.contains(to) || !CAST_TYPES.contains(x.dtype()) || x.numel() > MAX_COMPUTED_ELEMENTS) {
            return null;
        }
        if (to == x.dtype()) {
            return x;
        }
        long[] dims = x.dims();
        if (to.isFloatingPoint()) {
            if (x.dtype().isFloatingPoint()) {
                return Tensor.fromDoubles(to, dims, x.toDoubles());
            }
            long[] v = x.toLongs();
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                // long -> float rounds to nearest directly (as C++ static_cast does), not through double
                d[i] = to == DataType.DOUBLE ? (double) v[i] : (double) (float) v[i];
            }
            return Tensor.fromDoubles(to, dims, d);
        }
        long[] v;
        if (x.dtype().isFloatingPoint()) {
            double[] d = x.toDoubles();
            v = new long[d.length];
            for (int i = 0; i < d.length; i++) {
                if (to == DataType.BOOL) {
                    v[i] = d[i] != 0 ? 1 : 0;
                } else if (Double.isNaN(d[i]) || Math.abs(d[i]) >= 0x1p62) {
                    return null; // undefined in C++; the runtime decides
                } else {
                    v[i] = (long) d[i]; // truncation toward zero
                }
            }
        } else {
            v = x.toLongs();
            if (to == DataType.BOOL) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = v[i] != 0 ? 1 : 0;
                }
            }
        }
        if (to != DataType.BOOL && to != DataType.INT64 && x.dtype().isFloatingPoint()) {
            long lo = to == DataType.UINT8 ? 0 : -(1L << (to.bits() - 1));
            long hi = to == DataType.UINT8 ? 255 : (1L << (to.bits() - 1)) - 1;
            for (long e : v) {
                if (e < lo || e > hi) {
                    return null;
                }
            }
        }
        return Tensor.fromLongs(to, dims, v); // integer narrowing wraps, as two's-complement static_cast does
    }

    private static Tensor arithmetic(String op, Tensor[] in) {
        if (in.length != 2 || in[1] == null) {
            return null;
        }
        Tensor a = in[0];
        Tensor b = in[1];
        DataType t = a.dtype();
        if (b.dtype() != t || !(t == DataType.INT64 || t == DataType.INT32)) {
            return null; // float math is the runtime's business
        }
        long[] outDims = IntOps.broadcast(a.dims(), b.dims());
        if (outDims == null || Tensor.numel(outDims) > MAX_COMPUTED_ELEMENTS) {
            return null;
        }
        long[] x = a.toLongs();
        long[] y = b.toLongs();
        long[] ai = IntOps.broadcastIndex(a.dims(), outDims);
        long[] bi = IntOps.broadcastIndex(b.dims(), outDims);
        long[] out = new long[ai.length];
        for (int i = 0; i < out.length; i++) {
            OptionalLong r = IntOps.arithmetic(op, x[(int) ai[i]], y[(int) bi[i]]);
            if (r.isEmpty()) {
                return null; // division by zero
            }
            out[i] = r.getAsLong();
            if (t == DataType.INT32) {
                out[i] = (int) out[i];
            }
        }
        return Tensor.fromLongs(t, outDims, out);
    }

    // ---- tensors ----

    /** Bytes per element, or -1 for types that are not whole bytes (4-bit) or not packed (STRING). */
    private static int elementSize(DataType t) {
        return t == DataType.STRING || t.bits() == 0 || t.bits() % 8 != 0 ? -1 : t.bits() / 8;
    }

    private static byte[] bytes(Tensor t) {
        ByteBuffer b = t.data();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static Tensor fromBytes(DataType t, long[] dims, byte[] data) {
        return Tensor.of(t, dims, ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Inputs as constants (null where absent or not constant). */
    static Tensor[] constantInputs(Node n) {
        List<Value> ins = n.inputs();
        Tensor[] out = new Tensor[ins.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ins.get(i) == null ? null : Constants.valueOf(ins.get(i));
        }
        return out;
    }
}

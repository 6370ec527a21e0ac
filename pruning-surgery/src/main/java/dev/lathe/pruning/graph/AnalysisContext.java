package dev.lathe.pruning.graph;

import dev.lathe.graph.infer.Constants;
import dev.lathe.graph.infer.IntOps;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The state a {@link ChannelHandler} reads and extends while the analysis walks the graph. */
public final class AnalysisContext {
    /** Ops that are element-wise on a constant-only subgraph and so keep the channel axis of their inputs. */
    private static final Set<String> CONST_ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min",
            "Sqrt", "Reciprocal", "Neg", "Abs", "Exp", "Identity", "Cast", "Clip");
    private static final Set<String> CONST_REDUCE = Set.of("ReduceL2", "ReduceL1", "ReduceSum", "ReduceMean",
            "ReduceMax", "ReduceMin", "ReduceSumSquare", "ReduceProd");

    final long opset;
    final Map<Value, Track> tracks = new IdentityHashMap<>();
    final List<ChannelSpace> spaces = new ArrayList<>();
    final List<ParamSlice> slices = new ArrayList<>();
    final List<ConstEdit> edits = new ArrayList<>();
    final List<Object[]> blocks = new ArrayList<>(); // {space, from, to, reason}
    private final Map<Value, Boolean> constantDerived = new IdentityHashMap<>();
    /** Reshapes on constant paths whose shape entry is already scheduled for rewriting. */
    private final Set<Node> editedReshapes = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    int[] parent = new int[1024];
    int elementCount;

    AnalysisContext(long opset) {
        this.opset = opset;
    }

    public long opset() {
        return opset;
    }

    /** The channel track of a value, or null when it carries no channels the analysis follows. */
    public Track track(Value v) {
        return v == null ? null : tracks.get(v);
    }

    /** Creates a new channel space on {@code axis} of {@code v}. */
    public ChannelSpace newSpace(Value v, int axis, int rank, int size) {
        ChannelSpace s = new ChannelSpace(spaces.size(), v, size, elementCount);
        spaces.add(s);
        if (elementCount + size > parent.length) {
            parent = java.util.Arrays.copyOf(parent, Math.max(parent.length * 2, elementCount + size));
        }
        for (int i = 0; i < size; i++) {
            parent[elementCount + i] = elementCount + i;
        }
        elementCount += size;
        tracks.put(v, new Track(s, axis, rank));
        return s;
    }

    /** {@code v} carries the channels of {@code space} on {@code axis}. */
    public void alias(Value v, ChannelSpace space, int axis, int rank) {
        tracks.put(v, new Track(space, axis, rank));
    }

    /** Channel {@code i} of {@code a} and channel {@code j} of {@code b} go together. */
    public void couple(ChannelSpace a, int i, ChannelSpace b, int j) {
        int ra = find(a.offset() + i);
        int rb = find(b.offset() + j);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    int find(int e) {
        int r = e;
        while (parent[r] != r) {
            r = parent[r];
        }
        while (parent[e] != r) {
            int next = parent[e];
            parent[e] = r;
            e = next;
        }
        return r;
    }

    /** No channel of {@code space} may be removed. */
    public void block(ChannelSpace space, String reason) {
        blocks.add(new Object[] {space, 0, space.size(), reason});
    }

    /** Channels {@code from .. to-1} of {@code space} may not be removed. */
    public void block(ChannelSpace space, int from, int to, String reason) {
        blocks.add(new Object[] {space, from, to, reason});
    }

    /** Blocks every tracked input of a node: the node cannot follow a cut of them. */
    public void blockInputs(Node n, String why) {
        for (Value v : n.inputs()) {
            Track t = track(v);
            if (t != null) {
                block(t.space(), n.describe() + " " + why);
            }
        }
    }

    public void slice(Node consumer, int inputIndex, int axis, ChannelSpace space, int[] channelOfIndex, ParamRole role) {
        slices.add(new ParamSlice(consumer, inputIndex, consumer.input(inputIndex), axis, space, channelOfIndex, role));
    }

    public void edit(ConstEdit e) {
        edits.add(e);
    }

    /** The constant data of an initializer or a Constant node's output, else null. */
    public Tensor constant(Value v) {
        return v == null ? null : Constants.valueOf(v);
    }

    /** True when a value is computed from constants only (a weight normalised inside the graph, say). */
    public boolean isConstantDerived(Value v) {
        if (v == null) {
            return false;
        }
        Boolean known = constantDerived.get(v);
        if (known != null) {
            return known;
        }
        boolean result;
        if (constant(v) != null) {
            result = true;
        } else if (v.producer() == null || v.producer().inputs().isEmpty()) {
            result = false;
        } else {
            result = true;
            for (Value in : v.producer().inputs()) {
                if (in != null && !isConstantDerived(in)) {
                    result = false;
                    break;
                }
            }
        }
        constantDerived.put(v, result);
        return result;
    }

    /** Static sizes of a value (from a constant or a fully known type), else null. */
    public long[] staticShape(Value v) {
        Tensor c = constant(v);
        if (c != null) {
            return c.dims();
        }
        Shape s = v.shape();
        return s != null && s.isStatic() ? s.toArray() : null;
    }

    /** Sizes where known, -1 where symbolic or unknown; null when even the rank is unknown. */
    public long[] partialShape(Value v) {
        Tensor c = constant(v);
        if (c != null) {
            return c.dims();
        }
        Shape s = v.shape();
        if (s == null) {
            return null;
        }
        long[] out = new long[s.rank()];
        for (int i = 0; i < out.length; i++) {
            Dim d = s.get(i);
            out[i] = d.isFixed() ? d.size() : -1;
        }
        return out;
    }

    /** The rank of a value, or -1 when unknown. */
    public int rank(Value v) {
        Track t = track(v);
        if (t != null) {
            return t.rank();
        }
        Tensor c = constant(v);
        if (c != null) {
            return c.rank();
        }
        if (v.shape() != null) {
            return v.shape().rank();
        }
        return constRank(v);
    }

    /**
     * Records the slices that cut axis {@code axisFromEnd} (negative, counted from the last axis) of a constant or
     * constant-derived value by the channels of {@code space}: an initializer is sliced directly; through element-wise
     * ops, reductions and transposes the cut reaches the initializers that feed them. Returns false (recording
     * nothing) when the value cannot be cut that way.
     */
    public boolean sliceConstant(Node consumer, int inputIndex, int axisFromEnd, ChannelSpace space, ParamRole role) {
        List<ParamSlice> found = new ArrayList<>();
        List<ConstEdit> foundEdits = new ArrayList<>();
        if (!collectConstSlices(consumer, inputIndex, axisFromEnd, space, role, found, foundEdits, 0)) {
            return false;
        }
        slices.addAll(found);
        edits.addAll(foundEdits);
        return true;
    }

    private boolean collectConstSlices(Node consumer, int idx, int axisFromEnd, ChannelSpace space, ParamRole role,
            List<ParamSlice> out, List<ConstEdit> outEdits, int depth) {
        Value v = consumer.input(idx);
        if (v == null || depth > 32) {
            return false;
        }
        Tensor c = constant(v);
        if (c != null) {
            int axis = c.rank() + axisFromEnd;
            if (axis < 0 || (c.dim(axis) == 1 && space.size() != 1)) {
                return true; // broadcast along the channels: nothing to cut
            }
            if (c.dim(axis) != space.size()) {
                return false;
            }
            out.add(new ParamSlice(consumer, idx, v, axis, space, ParamSlice.identity(space.size()), role));
            return true;
        }
        Node p = v.producer();
        if (p == null || !isConstantDerived(v) || !p.domain().isEmpty()) {
            return false;
        }
        String op = p.opType();
        if (CONST_ELEMENTWISE.contains(op)) {
            int n = op.equals("Clip") ? 1 : p.inputs().size();
            for (int i = 0; i < n; i++) {
                if (p.input(i) != null && !collectConstSlices(p, i, axisFromEnd, space, role, out, outEdits, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (CONST_REDUCE.contains(op)) {
            // keepdims=1 keeps every axis in place; a reduction over the channel axis must still read only the kept
            // channels (a weight normalised over its input channels), so the cut goes on into the reduced tensor.
            if (p.attrInt("keepdims", 1) == 1) {
                return collectConstSlices(p, 0, axisFromEnd, space, role, out, outEdits, depth + 1);
            }
            // keepdims=0 (IIEU's filter norms ||W_c|| over axes 1..3): the channel axis is one of the axes kept.
            long[] in = constShape(p.input(0));
            long[] axes = in == null ? null : reduceAxes(p, in.length);
            if (axes == null) {
                return false;
            }
            int outAxis = in.length - axes.length + axisFromEnd;
            int inAxis = keptAxis(in.length, axes, outAxis);
            return inAxis >= 0 && collectConstSlices(p, 0, inAxis - in.length, space, role, out, outEdits, depth + 1);
        }
        if (op.equals("Transpose")) {
            int r = constRank(p.input(0));
            if (r < 0) {
                return false;
            }
            long[] perm = p.attrInts("perm", null);
            int axis = r + axisFromEnd;
            int inAxis = perm == null ? r - 1 - axis : (int) perm[axis];
            return collectConstSlices(p, 0, inAxis - r, space, role, out, outEdits, depth + 1);
        }
        if (op.equals("Reshape")) {
            return reshapeConstSlices(p, axisFromEnd, space, role, out, outEdits, depth);
        }
        return false;
    }

    /**
     * A constant reshaped only by adding or dropping size-1 axes ({@code F.reshape(1, C, 1, 1)}): the channel axis
     * maps to the same non-1 axis of the input, and the shape entry that counts the channels is rewritten.
     */
    private boolean reshapeConstSlices(Node p, int axisFromEnd, ChannelSpace space, ParamRole role,
            List<ParamSlice> out, List<ConstEdit> outEdits, int depth) {
        long[] in = constShape(p.input(0));
        long[] target = reshapeTarget(p, in);
        if (in == null || target == null) {
            return false;
        }
        int outAxis = target.length + axisFromEnd;
        if (outAxis < 0 || target[outAxis] != space.size()) {
            return false;
        }
        int[] nonOneIn = nonOneAxes(in);
        int[] nonOneOut = nonOneAxes(target);
        if (nonOneIn.length != nonOneOut.length) {
            return false;
        }
        int inAxis = -1;
        for (int i = 0; i < nonOneIn.length; i++) {
            if (in[nonOneIn[i]] != target[nonOneOut[i]]) {
                return false;
            }
            if (nonOneOut[i] == outAxis) {
                inAxis = nonOneIn[i];
            }
        }
        if (inAxis < 0 || !collectConstSlices(p, 0, inAxis - in.length, space, role, out, outEdits, depth + 1)) {
            return false;
        }
        Tensor shapeT = constant(p.input(1));
        long[] written = shapeT.toLongs();
        if (written[outAxis] == space.size() && editedReshapes.add(p)) {
            outEdits.add(ChannelHandlers.edit(p.describe() + " shape entry " + outAxis, cc -> {
                long[] s2 = written.clone();
                s2[outAxis] = cc.keptCount(space);
                cc.setConstInput(p, 1, ChannelHandlers.intsLike(shapeT, s2));
            }));
        }
        return true;
    }

    /** The target shape of a Reshape with a constant shape input, 0 and -1 resolved; null when not static. */
    private long[] reshapeTarget(Node p, long[] in) {
        Tensor shapeT = p.inputs().size() > 1 ? constant(p.input(1)) : null;
        if (shapeT == null || in == null) {
            return null;
        }
        return IntOps.reshapeTarget(in, shapeT.toLongs(), p.attrInt("allowzero", 0) != 0);
    }

    private static int[] nonOneAxes(long[] dims) {
        int n = 0;
        for (long d : dims) {
            if (d != 1) {
                n++;
            }
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (dims[i] != 1) {
                out[j++] = i;
            }
        }
        return out;
    }

    /** The input axis that becomes output axis {@code outAxis} of a reduction without keepdims; -1 if none. */
    private static int keptAxis(int inRank, long[] reduced, int outAxis) {
        int k = 0;
        for (int i = 0; i < inRank; i++) {
            boolean isReduced = false;
            for (long a : reduced) {
                isReduced |= a == i;
            }
            if (!isReduced) {
                if (k == outAxis) {
                    return i;
                }
                k++;
            }
        }
        return -1;
    }

    /** Reduction axes of a Reduce* node, normalised to [0, rank); all axes when none are given. */
    public long[] reduceAxes(Node p, int rank) {
        long[] axes = p.attrInts("axes", null);
        if (axes == null && p.inputs().size() > 1 && p.input(1) != null) {
            Tensor t = constant(p.input(1));
            axes = t == null ? null : t.toLongs();
            if (t == null) {
                return null;
            }
        }
        if (axes == null || axes.length == 0) {
            if (p.attrInt("noop_with_empty_axes", 0) == 1) {
                return new long[0];
            }
            axes = new long[rank];
            for (int i = 0; i < rank; i++) {
                axes[i] = i;
            }
        }
        long[] out = axes.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0) {
                out[i] += rank;
            }
        }
        return out;
    }

    /** Rank of a constant-derived value computed through the ops {@link #sliceConstant} follows, or -1. */
    int constRank(Value v) {
        long[] s = constShape(v);
        return s == null ? -1 : s.length;
    }

    /** Sizes of a constant-derived value computed through the ops {@link #sliceConstant} follows, or null. */
    public long[] constShape(Value v) {
        if (v == null) {
            return null;
        }
        long[] known = staticShape(v);
        if (known != null) {
            return known;
        }
        Node p = v.producer();
        if (p == null || !p.domain().isEmpty()) {
            return null;
        }
        String op = p.opType();
        if (CONST_ELEMENTWISE.contains(op)) {
            int n = op.equals("Clip") ? 1 : p.inputs().size();
            long[] out = new long[0];
            for (int i = 0; i < n; i++) {
                if (p.input(i) == null) {
                    continue;
                }
                long[] si = constShape(p.input(i));
                if (si == null) {
                    return null;
                }
                out = IntOps.broadcast(out, si);
                if (out == null) {
                    return null;
                }
            }
            return out;
        }
        if (CONST_REDUCE.contains(op)) {
            long[] in = constShape(p.input(0));
            long[] axes = in == null ? null : reduceAxes(p, in.length);
            if (axes == null) {
                return null;
            }
            long[] out = in.clone();
            for (long a : axes) {
                out[(int) a] = 1;
            }
            if (p.attrInt("keepdims", 1) == 1) {
                return out;
            }
            long[] kept = new long[in.length - axes.length];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = in[keptAxis(in.length, axes, i)];
            }
            return kept;
        }
        if (op.equals("Reshape")) {
            return reshapeTarget(p, constShape(p.input(0)));
        }
        if (op.equals("Transpose")) {
            long[] in = constShape(p.input(0));
            if (in == null) {
                return null;
            }
            long[] perm = p.attrInts("perm", null);
            long[] out = new long[in.length];
            for (int i = 0; i < in.length; i++) {
                out[i] = in[perm == null ? in.length - 1 - i : (int) perm[i]];
            }
            return out;
        }
        return null;
    }
}

package dev.lathe.calibration.quant;

import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.pass.DeadCodeElimination;
import dev.lathe.graph.pass.Passes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where Q/DQ pairs go in one FP32 model for one {@link QuantOptions}, and the rewrite that puts them there.
 *
 * <p>{@code ort-cpu} (ONNX Runtime's own quantizer's layout, which ORT turns into QLinearConv, QLinearAdd, QGemm,
 * QLinearGlobalAveragePool ...): every float activation that enters or leaves a quantized op gets one Q/DQ pair
 * after its producer, shared by all consumers, uint8 asymmetric. Conv, ConvTranspose, Gemm and MatMul with constant
 * weights, and Add, Mul and Concat of activations, are quantized; pools, MaxPool and the shape ops are quantized when
 * their input already is, the pass-through ones (MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze) with
 * their input's scale so ORT drops their Q/DQ and runs them on the codes. A Relu or Clip right after a quantized op
 * is folded into that op's output Q (its range starts at 0, so the uint8 saturation is the activation, exactly).
 * Graph outputs stay float. Weights are int8 symmetric, per channel by default; Conv and Gemm biases int32 with
 * scale input × weight.
 *
 * <p>{@code tensorrt} (TensorRT's explicit quantization): int8 symmetric Q/DQ on the activation inputs of Conv,
 * ConvTranspose, Gemm and MatMul and on both inputs of Adds of two activations; when such an input comes out of a
 * pass-through op (MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat) the op's inputs get a pair
 * with the same scale, so TensorRT can move the DQ across it; float consumers keep the float tensor; bias float.
 *
 * <p>The plan is made on a copy ({@link #prepare} first); {@link #rangeTensors} names the tensors of the prepared
 * FP32 model whose calibrated ranges {@link #apply} needs.
 */
public final class QdqPlan {
    private static final Set<String> COMPUTE = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");
    private static final Set<String> PASS_THROUGH = Set.of("MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze",
            "Unsqueeze");
    private static final Set<String> POOLS = Set.of("GlobalAveragePool", "AveragePool");
    private static final Set<String> ELEMENTWISE = Set.of("Add", "Mul", "Concat");

    /**
     * One quantized layer with its own arithmetic (Conv, ConvTranspose, Gemm, MatMul, Add, Mul, Concat): what
     * sensitivity analysis rebuilds on its own and fallback can keep in float.
     */
    public record Unit(String node, String opType, String output, String foldedActivation) {}

    private final Model folded;
    private final QuantOptions options;
    private final Map<String, String> tensors = new LinkedHashMap<>(); // quantized tensor -> tensor giving its range
    private final Set<String> quantizedNodes = new LinkedHashSet<>();
    private final List<Unit> units = new ArrayList<>();
    private final List<String> excluded = new ArrayList<>();
    private final Map<String, String> foldedBy = new HashMap<>(); // producer node -> folded activation node

    private QdqPlan(Model folded, QuantOptions options) {
        this.folded = folded;
        this.options = options;
    }

    /**
     * The model a plan and its calibration are made on: a copy with BatchNormalization folded into Convs, constants
     * folded, Identity and dead nodes removed. Quantizing and calibrating the same prepared model keeps tensor names
     * in step.
     */
    public static Model prepare(Model model) {
        Model m = model.copy();
        Passes.inferenceCleanup().apply(m);
        foldWeightTransposes(m);
        return m;
    }

    /**
     * A Transpose of a float constant that feeds only MatMul/Gemm weights (a Linear exported as {@code x @ W^T})
     * becomes the transposed constant, so the weight is quantized per channel like any other and ORT sees DQ → MatMul.
     */
    private static void foldWeightTransposes(Model m) {
        Graph g = m.graph();
        for (Node t : new ArrayList<>(g.nodes())) {
            Value w = t.opType().equals("Transpose") && t.domain().isEmpty() ? t.input(0) : null;
            Value out = w == null ? null : t.output(0);
            if (w == null || !w.isInitializer() || w.constValue().dtype() != DataType.FLOAT
                    || g.outputs().contains(out) || out.uses().isEmpty() || !out.uses().stream().allMatch(u -> u.index()
                    == 1 && (u.node().opType().equals("MatMul") || u.node().opType().equals("Gemm")))) {
                continue;
            }
            Value folded = g.addInitializer(g.uniqueName(w.name() + "_transposed"), transpose(w.constValue(),
                    t.attrInts("perm", null)));
            out.replaceAllUsesWith(folded);
            g.removeNode(t);
        }
        new DeadCodeElimination().apply(m);
    }

    /** {@code t} with its axes permuted ({@code perm} null: reversed), as ONNX Transpose. */
    static Tensor transpose(Tensor t, long[] perm) {
        int r = t.rank();
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = perm == null ? r - 1 - i : (int) perm[i];
        }
        long[] dims = new long[r];
        long[] inStrides = new long[r];
        long stride = 1;
        for (int i = r - 1; i >= 0; i--) {
            inStrides[i] = stride;
            stride *= t.dim(i);
        }
        for (int i = 0; i < r; i++) {
            dims[i] = t.dim(p[i]);
        }
        float[] in = t.toFloats();
        float[] out = new float[in.length];
        long[] idx = new long[r];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) {
                src += idx[i] * inStrides[p[i]];
            }
            out[o] = in[(int) src];
            for (int i = r - 1; i >= 0 && ++idx[i] == dims[i]; i--) {
                idx[i] = 0;
            }
        }
        return Tensor.ofFloats(dims, out);
    }

    /** The plan for a prepared model (see {@link #prepare}); the model is not modified. */
    public static QdqPlan of(Model prepared, QuantOptions options) {
        long opset = prepared.opset();
        if (opset < 10) {
            throw new IllegalArgumentException("opset " + opset + " has no QuantizeLinear (opset 10 or later needed)");
        }
        if (options.perChannel() && opset < 13) {
            throw new IllegalArgumentException("per-channel weights need DequantizeLinear's axis (opset 13); the"
                    + " model has opset " + opset + ": quantize per tensor, or export at opset 13 or later");
        }
        Model m = prepared.copy();
        ShapeInference.inferModel(m);
        QdqPlan plan = new QdqPlan(m, options);
        Set<Node> candidates = plan.candidates();
        if (options.target() == QuantTarget.ORT_CPU) {
            plan.foldActivations(candidates);
            plan.placeOrtCpu(candidates);
        } else {
            plan.placeTensorRt(candidates);
        }
        return plan;
    }

    /**
     * Every tensor any plan for {@code prepared} may ask a range of, whatever the target and exclusions: the float
     * activations entering or leaving ops the planner quantizes or folds, except pre-activation tensors that only
     * feed a ReLU/Clip (a quantized op's output is read after the activation it folds; a float one is not
     * quantized). Calibrating these once lets one ranges file serve both targets and every fallback.
     */
    public static List<String> calibrationTensors(Model prepared) {
        Model m = prepared.copy();
        ShapeInference.inferModel(m);
        Set<String> out = new LinkedHashSet<>();
        for (Node n : m.graph().nodes()) {
            String op = n.opType();
            if (!n.domain().isEmpty() || !(COMPUTE.contains(op) || PASS_THROUGH.contains(op) || POOLS.contains(op)
                    || ELEMENTWISE.contains(op) || op.equals("Relu") || op.equals("Clip"))) {
                continue;
            }
            for (Value v : n.inputs()) {
                if (v != null && isActivation(v) && !onlyFeedsActivations(v)) {
                    out.add(v.name());
                }
            }
            for (Value v : n.outputs()) {
                if (isActivation(v) && !onlyFeedsActivations(v)) {
                    out.add(v.name());
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean onlyFeedsActivations(Value v) {
        List<Node> c = v.consumers();
        return !c.isEmpty() && !v.graph().outputs().contains(v)
                && c.stream().allMatch(n -> n.opType().equals("Relu") || n.opType().equals("Clip"));
    }

    // ---- analysis ----

    /** Compute and elementwise nodes that may be quantized: float, constant weights, not excluded. */
    private Set<Node> candidates() {
        Graph g = folded.graph();
        List<Node> compute = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.domain().isEmpty() && COMPUTE.contains(n.opType()) && isFloat(n.output(0))) {
                compute.add(n);
            }
        }
        Set<String> known = new LinkedHashSet<>();
        g.nodes().forEach(n -> known.add(n.name()));
        for (String name : options.excludedNodes()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("--exclude: the model has no node named '" + name + "'");
            }
        }
        Set<Node> out = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            if (!n.domain().isEmpty() || !isFloat(n.output(0))) {
                continue;
            }
            boolean isCompute = COMPUTE.contains(n.opType());
            boolean excludedHere = options.excludedNodes().contains(n.name())
                    || options.excludedOps().contains(n.opType())
                    || isCompute && options.excludeFirst() && n == compute.get(0)
                    || isCompute && options.excludeLast() && n == compute.get(compute.size() - 1);
            boolean eligible = isCompute ? weightsConstant(n) : eligibleOther(n);
            if (eligible && excludedHere) {
                excluded.add(n.name());
            } else if (eligible) {
                out.add(n);
            }
        }
        return out;
    }

    private boolean eligibleOther(Node n) {
        if (ELEMENTWISE.contains(n.opType())) {
            boolean ortAll = options.target() == QuantTarget.ORT_CPU;
            if (!ortAll && !n.opType().equals("Add")) {
                return false;
            }
            for (Value v : n.inputs()) {
                if (v == null || !isActivation(v)) {
                    return false;
                }
            }
            return n.inputs().size() >= 2 || n.opType().equals("Concat");
        }
        return options.target() == QuantTarget.ORT_CPU
                && (PASS_THROUGH.contains(n.opType()) || POOLS.contains(n.opType()));
    }

    private static boolean weightsConstant(Node n) {
        return n.opType().equals("MatMul") || n.inputs().size() > 1 && n.input(1) != null
                && n.input(1).isInitializer();
    }

    /** ort-cpu: Relu/Clip(lo <= 0 <= hi) after a quantized compute op or Add, its input used only there, removed. */
    private void foldActivations(Set<Node> candidates) {
        Graph g = folded.graph();
        for (Node a : new ArrayList<>(g.nodes())) {
            if (!a.domain().isEmpty() || !(a.opType().equals("Relu") || clipAroundZero(a))) {
                continue;
            }
            Value x = a.input(0);
            Value y = a.output(0);
            Node p = x.producer();
            if (p == null || !candidates.contains(p) || !(COMPUTE.contains(p.opType()) || p.opType().equals("Add"))
                    || x.uses().size() != 1 || g.outputs().contains(x) || g.outputs().contains(y)) {
                continue;
            }
            String yName = y.name();
            y.replaceAllUsesWith(x);
            g.removeNode(a);
            x.setName(yName);
            foldedBy.put(p.name(), a.name());
        }
    }

    private static boolean clipAroundZero(Node a) {
        if (!a.opType().equals("Clip")) {
            return false;
        }
        double lo = Double.NEGATIVE_INFINITY;
        double hi = Double.POSITIVE_INFINITY;
        if (a.attr("min") != null || a.attr("max") != null) { // opset < 11
            lo = a.attrFloat("min", Float.NEGATIVE_INFINITY);
            hi = a.attrFloat("max", Float.POSITIVE_INFINITY);
        }
        for (int i = 1; i < a.inputs().size(); i++) {
            Value v = a.input(i);
            if (v == null || v.name().isEmpty()) {
                continue;
            }
            if (!v.isInitializer() || v.constValue().numel() != 1) {
                return false;
            }
            double bound = v.constValue().toDoubles()[0];
            if (i == 1) {
                lo = bound;
            } else {
                hi = bound;
            }
        }
        return lo <= 0 && 0 <= hi;
    }

    private void placeOrtCpu(Set<Node> candidates) {
        Graph g = folded.graph();
        for (Node n : g.nodes()) {
            if (!candidates.contains(n)) {
                continue;
            }
            String op = n.opType();
            boolean follower = PASS_THROUGH.contains(op) || POOLS.contains(op);
            if (follower && !tensors.containsKey(n.input(0).name())) {
                continue; // its input stays float: quantizing here would only add a conversion
            }
            quantizedNodes.add(n.name());
            if (!follower) {
                for (int i : activationInputs(n)) {
                    tensors.putIfAbsent(n.input(i).name(), n.input(i).name());
                }
            }
            Value out = n.output(0);
            if (!g.outputs().contains(out)) {
                String source = PASS_THROUGH.contains(op) ? tensors.get(n.input(0).name()) : out.name();
                tensors.put(out.name(), source);
            }
            if (COMPUTE.contains(op) || ELEMENTWISE.contains(op)) {
                units.add(new Unit(n.name(), op, out.name(), foldedBy.get(n.name())));
            }
        }
    }

    private void placeTensorRt(Set<Node> candidates) {
        Graph g = folded.graph();
        List<Value> work = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!candidates.contains(n)) {
                continue;
            }
            quantizedNodes.add(n.name());
            for (int i : activationInputs(n)) {
                Value v = n.input(i);
                if (tensors.putIfAbsent(v.name(), v.name()) == null) {
                    work.add(v);
                }
            }
            units.add(new Unit(n.name(), n.opType(), n.output(0).name(), null));
        }
        // one scale across pass-through ops: their inputs take the scale of the quantized tensor they produce
        while (!work.isEmpty()) {
            Value t = work.remove(work.size() - 1);
            Node p = t.producer();
            if (p == null || !p.domain().isEmpty()
                    || !(PASS_THROUGH.contains(p.opType()) || p.opType().equals("Concat"))) {
                continue;
            }
            List<Value> sources = p.opType().equals("Concat") ? p.inputs() : List.of(p.input(0));
            for (Value s : sources) {
                if (s != null && isActivation(s) && tensors.putIfAbsent(s.name(), tensors.get(t.name())) == null) {
                    work.add(s);
                }
            }
        }
    }

    /** Input positions of {@code n} that carry activations to quantize (weights are handled apart). */
    static List<Integer> activationInputs(Node n) {
        List<Integer> out = new ArrayList<>();
        switch (n.opType()) {
            case "Conv", "ConvTranspose" -> out.add(0);
            case "Gemm", "MatMul" -> {
                for (int i = 0; i < 2; i++) {
                    if (isActivation(n.input(i))) {
                        out.add(i);
                    }
                }
            }
            default -> {
                for (int i = 0; i < n.inputs().size(); i++) {
                    if (n.input(i) != null && isActivation(n.input(i))) {
                        out.add(i);
                    }
                }
            }
        }
        return out;
    }

    private static boolean isActivation(Value v) {
        return !v.isInitializer() && !v.name().isEmpty() && isFloat(v);
    }

    private static boolean isFloat(Value v) {
        return v != null && v.dtype() == DataType.FLOAT;
    }

    // ---- what the plan says ----

    /** Tensors (names in the prepared FP32 model) whose calibrated ranges {@link #apply} needs, in graph order. */
    public List<String> rangeTensors() {
        return new ArrayList<>(new LinkedHashSet<>(tensors.values()));
    }

    /** Names of the nodes that will compute in integer form. */
    public Set<String> quantizedNodes() {
        return Set.copyOf(quantizedNodes);
    }

    /** The quantized layers with their own arithmetic, in graph order (see {@link Unit}). */
    public List<Unit> units() {
        return List.copyOf(units);
    }

    /** ReLU/Clip nodes folded into the output Q of the op before them (ort-cpu), by name. */
    public Set<String> foldedActivations() {
        return Set.copyOf(foldedBy.values());
    }

    /** Nodes that would be quantized but were excluded by the options. */
    public List<String> excluded() {
        return List.copyOf(excluded);
    }

    public QuantOptions options() {
        return options;
    }

    /** The params a tensor's range gives under this plan's target. */
    public QuantParams activationParams(CalibrationRange range) {
        return options.target() == QuantTarget.ORT_CPU ? QuantParams.uint8(range) : QuantParams.int8Symmetric(range);
    }

    /** Whether {@code tensor} (a name of the prepared model) gets a Q/DQ pair. */
    public boolean quantizes(String tensor) {
        return tensors.containsKey(tensor);
    }

    // ---- the rewrite ----

    /**
     * The quantized model: a new model; the plan can be applied again. {@code ranges} maps each of
     * {@link #rangeTensors} to its calibrated range.
     */
    public Model apply(Map<String, CalibrationRange> ranges) {
        Map<String, QuantParams> params = params(ranges);
        Model m = folded.copy();
        Graph g = m.graph();
        Emitter emit = new Emitter(m);
        Map<String, Value> byName = g.valuesByName();
        for (Map.Entry<String, String> e : tensors.entrySet()) {
            Value v = byName.get(e.getKey());
            List<Value.Use> uses = new ArrayList<>(v.uses());
            Value dq = emit.qdq(v, params.get(e.getKey()));
            for (Value.Use u : uses) {
                if (readsQuantized(u.node())) {
                    u.node().replaceInput(u.index(), dq);
                }
            }
        }
        for (Node n : new ArrayList<>(g.nodes())) {
            if (quantizedNodes.contains(n.name()) && COMPUTE.contains(n.opType())) {
                quantizeWeights(emit, n, params);
            }
        }
        new DeadCodeElimination().apply(m);
        ShapeInference.inferModel(m);
        return m;
    }

    /** ort-cpu: every consumer reads the DQ (so the producer's output has one consumer, its Q, and fuses). */
    private boolean readsQuantized(Node c) {
        if (options.target() == QuantTarget.ORT_CPU || quantizedNodes.contains(c.name())) {
            return true;
        }
        return c.domain().isEmpty() && (PASS_THROUGH.contains(c.opType()) || c.opType().equals("Concat"))
                && tensors.containsKey(c.output(0).name());
    }

    Map<String, QuantParams> params(Map<String, CalibrationRange> ranges) {
        Map<String, QuantParams> bySource = new HashMap<>();
        for (String source : rangeTensors()) {
            CalibrationRange r = ranges.get(source);
            if (r == null) {
                throw new IllegalArgumentException("no calibrated range for tensor '" + source + "' (calibrate the"
                        + " same model for target " + options.target().label() + ")");
            }
            bySource.put(source, activationParams(r));
        }
        Map<String, QuantParams> out = new HashMap<>();
        tensors.forEach((t, source) -> out.put(t, bySource.get(source)));
        return out;
    }

    private void quantizeWeights(Emitter emit, Node n, Map<String, QuantParams> params) {
        Value w = n.input(1);
        if (w != null && w.isInitializer()) {
            int axis = options.perChannel() ? weightAxis(n) : -1;
            QuantParams wp = QuantParams.weights(w.constValue(), axis);
            n.replaceInput(1, emit.weight(w, wp));
            String in = originalName(n.input(0));
            if (intBias(options, n, wp) && params.containsKey(in)) {
                n.replaceInput(2, emit.weight(n.input(2), QuantParams.bias(params.get(in), wp)));
            }
        }
    }

    /** ort-cpu quantizes a Conv's or Gemm's constant 1-D bias to int32 (one value per weight scale, or per tensor). */
    static boolean intBias(QuantOptions options, Node n, QuantParams weight) {
        Value b = n.inputs().size() > 2 ? n.input(2) : null;
        return options.target() == QuantTarget.ORT_CPU && (n.opType().equals("Conv") || n.opType().equals("Gemm"))
                && b != null && b.isInitializer() && b.constValue().rank() == 1
                && (!weight.perChannel() || b.constValue().numel() == weight.scale().length);
    }

    /** The tensor a DequantizeLinear output was made from (its Q's input), else the value itself. */
    private static String originalName(Value v) {
        Node dq = v.producer();
        if (dq != null && dq.opType().equals("DequantizeLinear") && dq.input(0).producer() != null
                && dq.input(0).producer().opType().equals("QuantizeLinear")) {
            return dq.input(0).producer().input(0).name();
        }
        return v.name();
    }

    /** The weight axis that indexes output channels: Conv 0, ConvTranspose 1, Gemm 0 with transB else 1, MatMul last. */
    static int weightAxis(Node n) {
        return switch (n.opType()) {
            case "Conv" -> 0;
            case "ConvTranspose" -> n.attrInt("group", 1) == 1 ? 1 : -1;
            case "Gemm" -> n.attrInt("transB", 0) != 0 ? 0 : 1;
            default -> n.input(1).constValue().rank() - 1;
        };
    }

    /** Adds Q/DQ nodes and quantized initializers to one model, named after the tensor they belong to. */
    static final class Emitter {
        private final Model model;
        private final Graph g;
        private final Map<String, Value> weightCache = new HashMap<>();

        Emitter(Model model) {
            this.model = model;
            this.g = model.graph();
        }

        /** DQ(Q(v)) inserted right after v's producer (or first, for a graph input). */
        Value qdq(Value v, QuantParams p) {
            GraphBuilder b = GraphBuilder.editing(model).namePrefix(v.name());
            if (v.producer() != null) {
                b.after(v.producer());
            } else if (!g.nodes().isEmpty()) {
                b.before(g.nodes().get(0));
            }
            Value scale = g.addInitializer(g.uniqueName(v.name() + "_scale"), p.scaleTensor());
            Value zp = g.addInitializer(g.uniqueName(v.name() + "_zero_point"), p.zeroPointTensor());
            Ops o = b.ops();
            Value q = o.op("QuantizeLinear", axisAttr(p), v, scale, zp);
            return o.op("DequantizeLinear", axisAttr(p), q, scale, zp);
        }

        /** DQ of a constant quantized with {@code p}, inserted before its first consumer; shared per (constant, params). */
        Value weight(Value w, QuantParams p) {
            String key = w.name() + "/" + p.dtype() + "/" + p.axis() + "/" + Arrays.toString(p.scale());
            Value cached = weightCache.get(key);
            if (cached != null) {
                return cached;
            }
            Node first = w.uses().get(0).node();
            GraphBuilder b = GraphBuilder.editing(model).namePrefix(w.name()).before(first);
            Value q = g.addInitializer(g.uniqueName(w.name() + "_quantized"), p.quantize(w.constValue()));
            Value scale = g.addInitializer(g.uniqueName(w.name() + "_scale"), p.scaleTensor());
            Value zp = g.addInitializer(g.uniqueName(w.name() + "_zero_point"), p.zeroPointTensor());
            Value dq = b.ops().op("DequantizeLinear", axisAttr(p), q, scale, zp);
            weightCache.put(key, dq);
            return dq;
        }

        private static Map<String, Attr> axisAttr(QuantParams p) {
            return p.perChannel() ? Ops.attrs("axis", Attr.of((long) p.axis())) : Map.of();
        }
    }
}

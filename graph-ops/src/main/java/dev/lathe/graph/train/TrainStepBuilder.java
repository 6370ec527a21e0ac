package dev.lathe.graph.train;


import dev.lathe.graph.autodiff.Autodiff;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.pass.ScalarOperandRank;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns a forward model (its first input the data the loader feeds, parameters as initializers) and an
 * {@link Objective} over its named values into a {@link TrainStep}: the train graph is forward with training-mode
 * BatchNorm, the objective's terms and their weighted sum, the autodiff backward, optional clipping and the optimizer
 * update, all standard ai.onnx ops, for a fixed batch size (every input's leading symbolic dimension is fixed to it).
 * Inputs the objective declares (labels, targets, masks, a seed) are fed by name. When the model has a classifier
 * output (logits [N, C], the output named logits or the first), the step also takes the labels and counts the
 * correct predictions, whatever the objective.
 *
 * <p>Trainable parameters are the FLOAT initializers of rank >= 1 that are not BatchNorm running statistics and not
 * frozen. BatchNorm becomes ONNX's training-mode BatchNormalization (batch mean and biased variance for normalising,
 * the unbiased variance for the running estimate, as PyTorch), differentiated by the autodiff's fused BN rule; a
 * BatchNorm whose scale and bias are both frozen stays as it is (inference form, running statistics constant), which is
 * PyTorch's frozen module in eval mode.
 */
public final class TrainStepBuilder {
    /** The conventional name of a classifier's logits output (the zoo's), preferred over output order. */
    static final String LOGITS_OUTPUT = "logits";

    private TrainStepBuilder() {}

    /** Builds the train and eval graphs from copies of {@code forward}, which is left as it was. */
    public static TrainStep build(Model forward, TrainConfig cfg) {
        Model train = forward.copy();
        Model eval = forward.copy();
        long opset = train.opset();
        if (opset < 13) {
            throw new IllegalArgumentException("train steps need opset >= 13 (ReduceSum/Split/Squeeze take axes as "
                    + "inputs), the model imports opset " + opset);
        }
        Graph g = train.graph();
        Value input = g.inputs().get(0);
        String logitsName = logitsOutput(g).name();
        for (Value in : g.inputs()) {
            Shape shape = in.shape();
            if (shape != null && shape.rank() > 0 && !shape.get(0).isFixed()) {
                in.setType(new TensorType(in.dtype(), shape.with(0, Dim.of(cfg.batch()))));
            }
        }
        ShapeInference.inferGraph(g, opset);

        Set<String> bufferNames = runningStatNames(g, cfg.frozen());
        Map<String, Tensor> params = new LinkedHashMap<>();
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        Map<String, Tensor> frozen = new LinkedHashMap<>();
        for (Value v : new ArrayList<>(g.initializers().values())) {
            Tensor t = v.constValue();
            if (bufferNames.contains(v.name())) {
                buffers.put(v.name(), t);
            } else if (t.dtype() == DataType.FLOAT && t.rank() >= 1 && !v.uses().isEmpty()) {
                (cfg.frozen().test(v.name()) ? frozen : params).put(v.name(), t);
            }
        }
        Map<String, Value> paramInputs = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            paramInputs.put(name, toInput(g, name));
        }
        Map<String, Value> bufferInputs = new LinkedHashMap<>();
        for (String name : buffers.keySet()) {
            bufferInputs.put(name, toInput(g, name));
        }
        Ops e = GraphBuilder.editing(g, opset).inferTypes(false).ops();
        List<Value[]> bufferUpdates = lowerBatchNorms(g, e, cfg.bnMomentum(), bufferInputs, cfg.frozen());
        Map<String, Value> forwardOutputs = new LinkedHashMap<>();
        for (Value o : g.outputs()) {
            forwardOutputs.put(o.name(), o);
        }
        Value logits = logitsOutput(g);
        g.clearOutputs();
        if (cfg.dropPath() > 0) {
            Value seed = g.inputs().stream().filter(v -> v.name().equals(TrainStep.SEED)).findFirst()
                    .orElseGet(() -> g.addInput(new Value(TrainStep.SEED, TensorType.of(DataType.INT64))));
            DropPath.insert(g, e, seed, cfg.dropPath());
        }
        e.builder().namePrefix("loss");
        ObjectiveContext objective = new ObjectiveContext(g, e, cfg.batch(), forwardOutputs);
        Value loss = cfg.objective().emit(objective);
        // a classifier's step counts correct predictions whatever its objective (a KL or MSE step reports accuracy too)
        Value correct = logits.shape() != null && logits.shape().rank() == 2 && logits.dtype() == DataType.FLOAT
                ? LossTerms.correct(e, logits, objective.labels()) : null;
        Value lr = g.addInput(new Value(TrainStep.LR, TensorType.of(DataType.FLOAT)));
        g.sortTopologically();
        ShapeInference.inferGraph(g, opset);

        List<Value> wrt = new ArrayList<>(paramInputs.values());
        Map<Value, Value> grads = Autodiff.gradients(g, opset, loss, wrt);
        e.builder().namePrefix("optimizer");
        Map<String, Value> gradByName = new LinkedHashMap<>();
        for (Map.Entry<String, Value> p : paramInputs.entrySet()) {
            gradByName.put(p.getKey(), grads.get(p.getValue()));
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        Accumulation accumulation = cfg.accumulation() > 1
                ? Accumulation.emit(g, e, cfg.accumulation(), paramInputs, gradByName, state) : null;
        if (cfg.clipNorm() > 0) {
            clipByGlobalNorm(e, gradByName, cfg.clipNorm());
        }
        output(g, loss, TrainStep.LOSS);
        if (correct != null) {
            output(g, correct, TrainStep.CORRECT);
        }
        if (objective.termValues.size() > 1) {
            objective.termValues.forEach((name, v) -> output(g, v, TrainStep.LOSS + "." + name));
        }
        if (cfg.gradientOutputs()) {
            for (Map.Entry<String, Value> gr : gradByName.entrySet()) {
                output(g, gr.getValue(), gr.getKey() + ".grad");
            }
        }
        Optimizers.emit(g, e, cfg, paramInputs, gradByName, lr, state);
        for (int i = 0; i < bufferUpdates.size(); i++) {
            Value[] u = bufferUpdates.get(i);
            output(g, u[1], TrainStep.next(u[0].name()));
        }
        if (accumulation != null) {
            Set<String> gated = new LinkedHashSet<>(params.keySet());
            state.keySet().stream().filter(n -> !n.endsWith(TrainStep.GRAD_ACCUM)).forEach(gated::add);
            accumulation.gate(g, gated);
        }
        if (cfg.emaDecay() > 0) {
            Map<String, Tensor> weights = new LinkedHashMap<>(params);
            weights.putAll(buffers);
            Ema.emit(g, e, cfg.emaDecay(), weights, accumulation == null ? null : accumulation.apply(), state);
        }
        ShapeInference.inferGraph(g, opset);
        new ScalarOperandRank().apply(train);
        train.setDocString("lathe train step: " + cfg.objective() + ", " + cfg.optimizer() + ", batch " + cfg.batch());

        Graph eg = eval.graph();
        for (String name : params.keySet()) {
            toInput(eg, name);
        }
        for (String name : buffers.keySet()) {
            toInput(eg, name);
        }
        return new TrainStep(train, eval, input.name(), logitsName, cfg.batch(), params, buffers, state, frozen,
                cfg.accumulation());
    }

    /**
     * The classifier output: the one named {@code logits} when the model has several (AnchorNet also returns its CAM
     * features and classifier weight), else the first.
     */
    static Value logitsOutput(Graph g) {
        for (Value o : g.outputs()) {
            if (o.name().equals(LOGITS_OUTPUT)) {
                return o;
            }
        }
        return g.outputs().get(0);
    }

    /** Names of the initializers feeding the running mean and variance of the BatchNormalizations that train. */
    static Set<String> runningStatNames(Graph g, Predicate<String> frozen) {
        Set<String> out = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("BatchNormalization") && !isFrozen(n, frozen)) {
                for (int i = 3; i <= 4; i++) {
                    if (n.input(i) != null && n.input(i).isInitializer()) {
                        out.add(n.input(i).name());
                    }
                }
            }
        }
        return out;
    }

    /** Replaces an initializer by a graph input of the same name and type. */
    static Value toInput(Graph g, String name) {
        Value init = g.initializer(name);
        Value in = new Value(name, init.type());
        init.replaceAllUsesWith(in, true);
        g.removeInitializer(name);
        g.addInput(in);
        return in;
    }

    /**
     * Replaces each BatchNormalization by its training form; returns (running input, updated value) pairs.
     * The training node (training_mode=1, momentum 0) makes ORT compute the normalised output and the batch mean and
     * biased variance in one kernel, and gives the autodiff its fused BN backward. The running estimates are updated
     * outside it as PyTorch does: running' = (1 - m) running + m batch_stat, with the unbiased variance for
     * running_var. ORT writes the running outputs in place of the running inputs (measured: feeding the BN's own
     * running-stat graph inputs corrupts them; feeding one zero constant to both makes the two statistics share a
     * buffer), so the node gets two fresh zero tensors that nothing else reads, computed from the running inputs.
     */
    private static List<Value[]> lowerBatchNorms(Graph g, Ops e, double momentum, Map<String, Value> buffers,
            Predicate<String> frozen) {
        List<Value[]> updates = new ArrayList<>();
        for (Node bn : new ArrayList<>(g.nodes())) {
            if (!bn.opType().equals("BatchNormalization") || isFrozen(bn, frozen)) {
                continue;
            }
            e.builder().namePrefix(bn.name() + "/train");
            Value x = bn.input(0);
            long[] xs = Ops.staticShape(x);
            long ch = xs[1];
            long count = xs[0];
            for (int i = 2; i < xs.length; i++) {
                count *= xs[i];
            }
            DataType t = x.dtype();
            List<Value> outs = e.op("BatchNormalization", Ops.attrs("epsilon", Attr.of(bn.attrFloat("epsilon",
                    1e-5f)), "momentum", Attr.of(0f), "training_mode", Attr.of(1L)), 3, x, bn.input(1), bn.input(2),
                    e.mul(bn.input(3), e.scalar(t, 0)), e.mul(bn.input(4), e.scalar(t, 0)));
            Value y = outs.get(0);
            y.setType(bn.output(0).type());
            Value mean = outs.get(1);
            mean.setType(TensorType.of(t, ch));
            Value var = outs.get(2);
            var.setType(TensorType.of(t, ch));
            bn.output(0).replaceAllUsesWith(y, true);
            Value rm = bn.input(3);
            Value rv = bn.input(4);
            if (rm != null && buffers.containsValue(rm)) {
                Value next = e.add(e.mul(rm, e.scalar(t, 1 - momentum)), e.mul(mean, e.scalar(t, momentum)));
                updates.add(new Value[] {rm, next});
            }
            if (rv != null && buffers.containsValue(rv)) {
                double unbias = count > 1 ? (double) count / (count - 1) : 1.0;
                Value next = e.add(e.mul(rv, e.scalar(t, 1 - momentum)), e.mul(var, e.scalar(t, momentum * unbias)));
                updates.add(new Value[] {rv, next});
            }
            for (Value o : bn.outputs()) {
                if (!o.uses().isEmpty()) {
                    throw new IllegalArgumentException(bn.describe() + ": output " + o.name()
                            + " (saved statistics) is used; only the normalised output is supported in training");
                }
            }
            g.removeNode(bn);
        }
        return updates;
    }

    /**
     * A BatchNormalization whose scale and bias are frozen initializers belongs to a frozen sub-network: it keeps its
     * inference form (PyTorch's eval mode), so its running statistics are read, never updated.
     */
    private static boolean isFrozen(Node bn, Predicate<String> frozen) {
        for (int i = 1; i <= 2; i++) {
            Value p = bn.input(i);
            if (p == null || !p.isInitializer() || !frozen.test(p.name())) {
                return false;
            }
        }
        return true;
    }

    /** clip_grad_norm_: g *= min(1, max_norm / (||g||_2 + 1e-6)) over all parameters together. */
    private static void clipByGlobalNorm(Ops e, Map<String, Value> grads, double maxNorm) {
        List<Value> squares = new ArrayList<>();
        for (Value gr : grads.values()) {
            squares.add(e.reduceSum(e.mul(gr, gr), false));
        }
        Value total = squares.size() == 1 ? squares.get(0) : e.op("Sum", squares.toArray(new Value[0]));
        Value norm = e.op("Sqrt", total);
        Value coef = e.op("Min", e.div(e.scalar(DataType.FLOAT, maxNorm), e.add(norm, e.scalar(DataType.FLOAT, 1e-6))),
                e.scalar(DataType.FLOAT, 1.0));
        for (Map.Entry<String, Value> en : grads.entrySet()) {
            en.setValue(e.mul(en.getValue(), coef));
        }
    }

    /** Marks {@code v} as a graph output called {@code name} (through an Identity when v is an input or output). */
    static Value output(Graph g, Value v, String name) {
        Value out = v;
        if (v.producer() == null || g.outputs().contains(v)) {
            Ops e = GraphBuilder.editing(g, 13).inferTypes(false).ops();
            e.builder().namePrefix("outputs");
            out = e.op("Identity", v);
            out.setType(v.type());
        }
        out.setName(name);
        g.addOutput(out);
        return out;
    }

}

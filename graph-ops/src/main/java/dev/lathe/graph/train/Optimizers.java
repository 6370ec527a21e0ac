package dev.lathe.graph.train;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.Map;

/** Emits in-graph parameter updates with torch.optim's exact update order. */
final class Optimizers {
    private Optimizers() {}

    static void emit(Graph g, Ops e, TrainConfig cfg, Map<String, Value> params, Map<String, Value> grads,
            Value lr, Map<String, Tensor> state) {
        DataType f = DataType.FLOAT;
        if (cfg.optimizer() instanceof Optimizer.Sgd sgd) {
            for (Map.Entry<String, Value> en : params.entrySet()) {
                String name = en.getKey();
                Value p = en.getValue();
                Value d = grads.get(name);
                double wd = decay(cfg, name, p, sgd.weightDecay());
                if (wd != 0) {
                    d = e.add(d, e.mul(p, e.scalar(f, wd)));
                }
                Value step = d;
                if (sgd.momentum() != 0) {
                    String bufName = name + ".momentum_buffer";
                    Value buf = stateInput(g, bufName, p, state);
                    Value bufNext = e.add(e.mul(buf, e.scalar(f, sgd.momentum())), d);
                    TrainStepBuilder.output(g, typed(bufNext, p), TrainStep.next(bufName));
                    step = sgd.nesterov() ? e.add(d, e.mul(bufNext, e.scalar(f, sgd.momentum()))) : bufNext;
                }
                TrainStepBuilder.output(g, typed(e.sub(p, e.mul(step, lr)), p), TrainStep.next(name));
            }
            return;
        }
        if (cfg.optimizer() instanceof Optimizer.Adam a) {
            adam(g, e, cfg, params, grads, lr, state, a.beta1(), a.beta2(), a.eps(), a.weightDecay(), false);
            return;
        }
        if (cfg.optimizer() instanceof Optimizer.AdamW a) {
            adam(g, e, cfg, params, grads, lr, state, a.beta1(), a.beta2(), a.eps(), a.weightDecay(), true);
            return;
        }
        throw new IllegalArgumentException("unknown optimizer " + cfg.optimizer());
    }

    /** Adam's update; {@code decoupled}: AdamW's p (1 - lr wd), else Adam's L2 term g + wd p. */
    private static void adam(Graph g, Ops e, TrainConfig cfg, Map<String, Value> params, Map<String, Value> grads,
            Value lr, Map<String, Tensor> state, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupled) {
        DataType f = DataType.FLOAT;
        Value stepIn = g.addInput(new Value(TrainStep.STEP, TensorType.of(f)));
        state.put(TrainStep.STEP, Tensor.scalar(0f));
        Value t = e.add(stepIn, e.scalar(f, 1));
        TrainStepBuilder.output(g, typed(t, stepIn), TrainStep.next(TrainStep.STEP));
        Value bc1 = e.sub(e.scalar(f, 1), e.op("Pow", e.scalar(f, beta1), t));
        Value sqrtBc2 = e.op("Sqrt", e.sub(e.scalar(f, 1), e.op("Pow", e.scalar(f, beta2), t)));
        Value stepSize = e.div(lr, bc1);
        for (Map.Entry<String, Value> en : params.entrySet()) {
            String name = en.getKey();
            Value p = en.getValue();
            Value gr = grads.get(name);
            double wd = decay(cfg, name, p, weightDecay);
            Value decayed = p;
            if (wd != 0 && decoupled) {
                decayed = e.mul(p, e.sub(e.scalar(f, 1), e.mul(lr, e.scalar(f, wd))));
            } else if (wd != 0) {
                gr = e.add(gr, e.mul(p, e.scalar(f, wd)));
            }
            Value m = stateInput(g, name + ".exp_avg", p, state);
            Value v = stateInput(g, name + ".exp_avg_sq", p, state);
            Value mNext = e.add(e.mul(m, e.scalar(f, beta1)), e.mul(gr, e.scalar(f, 1 - beta1)));
            Value vNext = e.add(e.mul(v, e.scalar(f, beta2)),
                    e.mul(e.mul(gr, gr), e.scalar(f, 1 - beta2)));
            TrainStepBuilder.output(g, typed(mNext, p), TrainStep.next(name + ".exp_avg"));
            TrainStepBuilder.output(g, typed(vNext, p), TrainStep.next(name + ".exp_avg_sq"));
            Value denom = e.add(e.div(e.op("Sqrt", vNext), sqrtBc2), e.scalar(f, eps));
            Value pNext = e.sub(decayed, e.mul(stepSize, e.div(mNext, denom)));
            TrainStepBuilder.output(g, typed(pNext, p), TrainStep.next(name));
        }
    }

    private static double decay(TrainConfig cfg, String name, Value p, double wd) {
        return cfg.noDecay().test(name, p.shape().rank()) ? 0 : wd;
    }

    private static Value stateInput(Graph g, String name, Value like, Map<String, Tensor> state) {
        state.put(name, Tensor.zeros(like.dtype(), like.shape().toArray()));
        return g.addInput(new Value(name, like.type()));
    }

    private static Value typed(Value v, Value like) {
        v.setType(like.type());
        return v;
    }
}

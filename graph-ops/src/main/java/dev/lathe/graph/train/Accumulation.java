package dev.lathe.graph.train;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.Map;
import java.util.Set;

/**
 * In-graph gradient accumulation over K micro-batches. Every run adds its gradient to a per-parameter accumulator
 * ({@code <p>.grad_accum} in the state) and computes the update from the mean (acc + g) / K; the updated parameters
 * and optimizer state leave the graph only where {@link TrainStep#APPLY_UPDATE} is 1 (a Where on each output, so a
 * skipped update returns the inputs bit for bit), and the accumulator is zeroed then. BN running statistics update on
 * every micro-batch, as PyTorch's forward passes would.
 */
final class Accumulation {
    private final Value apply;
    private final Ops e;

    private Accumulation(Value apply, Ops e) {
        this.apply = apply;
        this.e = e;
    }

    /** Adds the accumulators and the apply input; replaces each gradient in {@code grads} by the K-batch mean. */
    static Accumulation emit(Graph g, Ops e, int k, Map<String, Value> params, Map<String, Value> grads,
            Map<String, Tensor> state) {
        Value applyIn = g.addInput(new Value(TrainStep.APPLY_UPDATE, TensorType.of(DataType.FLOAT)));
        Value apply = e.op("Greater", applyIn, e.scalar(DataType.FLOAT, 0.5));
        Value invK = e.scalar(DataType.FLOAT, 1.0 / k);
        for (Map.Entry<String, Value> p : params.entrySet()) {
            String accName = p.getKey() + TrainStep.GRAD_ACCUM;
            Value acc = g.addInput(new Value(accName, p.getValue().type()));
            state.put(accName, Tensor.zeros(p.getValue().dtype(), p.getValue().shape().toArray()));
            Value sum = e.add(acc, grads.get(p.getKey()));
            Value zeros = e.zerosLike(p.getValue());
            Value accNext = e.op("Where", apply, zeros, sum);
            accNext.setType(p.getValue().type());
            TrainStepBuilder.output(g, accNext, TrainStep.next(accName));
            grads.put(p.getKey(), e.mul(sum, invK));
        }
        return new Accumulation(apply, e);
    }

    /** The apply flag (BOOL scalar), for other updates that happen only with the optimizer's (the EMA). */
    Value apply() {
        return apply;
    }

    /** Makes every output {@code next(name)} with {@code name} in {@code gated} keep the input unless applying. */
    void gate(Graph g, Set<String> gated) {
        for (int i = 0; i < g.outputs().size(); i++) {
            Value out = g.outputs().get(i);
            if (!out.name().endsWith(".next")) {
                continue;
            }
            String name = out.name().substring(0, out.name().length() - ".next".length());
            if (!gated.contains(name)) {
                continue;
            }
            Value in = g.inputs().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow(() ->
                    new IllegalStateException("train step output " + out.name() + " has no input " + name));
            out.setName(g.uniqueName(out.name() + "_update"));
            Value kept = e.op("Where", apply, out, in);
            kept.setType(in.type());
            kept.setName(TrainStep.next(name));
            g.setOutput(i, kept);
        }
    }
}

package dev.lathe.graph.train;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.Map;

/**
 * In-graph exponential moving average of the weights (timm's ModelEmaV2, which EfficientMod trains with): for every
 * parameter and BN buffer, {@code <name>.ema.next = d * <name>.ema + (1 - d) * <name>.next}, starting from the initial
 * weights. With gradient accumulation it moves only on the runs that apply the update.
 */
final class Ema {
    private Ema() {}

    static void emit(Graph g, Ops e, double decay, Map<String, Tensor> weights, Value apply,
            Map<String, Tensor> state) {
        Value d = e.scalar(DataType.FLOAT, decay);
        Value oneMinusD = e.scalar(DataType.FLOAT, 1 - decay);
        for (Map.Entry<String, Tensor> w : weights.entrySet()) {
            String name = w.getKey();
            Value updated = g.outputs().stream().filter(v -> v.name().equals(TrainStep.next(name))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("train step has no output " + TrainStep.next(name)));
            String emaName = name + TrainStep.EMA;
            Value ema = g.addInput(new Value(emaName, updated.type()));
            state.put(emaName, w.getValue());
            Value next = e.add(e.mul(ema, d), e.mul(updated, oneMinusD));
            if (apply != null) {
                next = e.op("Where", apply, next, ema);
            }
            next.setType(updated.type());
            TrainStepBuilder.output(g, next, TrainStep.next(emaName));
        }
    }
}

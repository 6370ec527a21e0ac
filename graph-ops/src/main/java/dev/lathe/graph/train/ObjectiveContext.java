package dev.lathe.graph.train;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link LossTerm} sees while the train step is built: the builder, the batch size, the forward graph's values
 * by name, and extra graph inputs (targets, masks, teacher outputs, stored parameters) that the trainer feeds by name.
 */
public final class ObjectiveContext {
    private final Graph graph;
    private final Ops ops;
    private final int batch;
    private final Map<String, Value> forwardOutputs;
    final Map<String, Value> termValues = new LinkedHashMap<>();

    /**
     * @param forwardOutputs the forward model's outputs by name (the graph's output list is rebuilt for the step)
     */
    ObjectiveContext(Graph graph, Ops ops, int batch, Map<String, Value> forwardOutputs) {
        this.graph = graph;
        this.ops = ops;
        this.batch = batch;
        this.forwardOutputs = forwardOutputs;
    }

    /** Adds nodes (untyped: the train step infers every type once the objective is built). */
    public Ops ops() {
        return ops;
    }

    public int batch() {
        return batch;
    }

    /**
     * A value of the forward graph: one of its outputs by name, else any value (input, initializer, intermediate)
     * of that name.
     */
    public Value value(String name) {
        Value v = forwardOutputs.get(name);
        if (v == null) {
            v = graph.valuesByName().get(name);
        }
        if (v == null) {
            throw new IllegalArgumentException("loss term: the forward graph has no value named '" + name
                    + "'; its outputs are " + forwardOutputs.keySet());
        }
        return v;
    }

    /** The classifier's logits [N, C]: the output named {@code logits}, else the first output. */
    public Value logits() {
        Value v = forwardOutputs.get(TrainStepBuilder.LOGITS_OUTPUT);
        return v != null ? v : forwardOutputs.values().iterator().next();
    }

    /** The number of classes of {@link #logits()}. */
    public long classes() {
        return Ops.staticShape(logits())[1];
    }

    /** The integer class labels [N] (graph input {@link TrainStep#LABELS}). */
    public Value labels() {
        return input(TrainStep.LABELS, DataType.INT64, batch);
    }

    /**
     * An extra graph input fed by name at every step, declared on first use; asking again returns the same input,
     * and asking with another type is an error naming both.
     */
    public Value input(String name, DataType dtype, long... dims) {
        TensorType want = TensorType.of(dtype, dims);
        for (Value in : graph.inputs()) {
            if (in.name().equals(name)) {
                if (in.type() != null && !sameType(in.type(), want)) {
                    throw new IllegalArgumentException("loss term input '" + name + "' is declared as " + in.type()
                            + " and asked for as " + want);
                }
                return in;
            }
        }
        if (graph.valuesByName().containsKey(name)) {
            throw new IllegalArgumentException("loss term input '" + name + "' would shadow a value of the forward "
                    + "graph of that name");
        }
        return graph.addInput(new Value(name, want));
    }

    /** The per-step random seed (INT64 scalar input {@link TrainStep#SEED}) that in-graph draws are keyed by. */
    public Value seed() {
        return input(TrainStep.SEED, DataType.INT64);
    }

    private static boolean sameType(TensorType a, TensorType b) {
        Shape sa = a.shape();
        return a.dtype() == b.dtype() && (sa == null || sa.equals(b.shape()));
    }
}

package dev.lathe.runtime.train;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.runtime.data.Dataset;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs a train step built with gradient outputs ({@code TrainConfig.withGradientOutputs()}) to read the loss
 * gradient of every parameter for one batch, without applying any update: what Taylor and CIC importance need.
 * Parameters stay at the step's initial values (the model's weights); BatchNorm uses batch statistics, as in
 * PyTorch's train mode when these criteria are estimated. The step runs as an ordinary {@link Session} of any
 * runtime (ONNX Runtime on CPU puts its Convs with run-time weights on its blocked kernels itself).
 */
public final class GradientProbe implements AutoCloseable {
    private final TrainStep step;
    private final Session session;
    private final Map<String, HostTensor> fixed = new HashMap<>();
    private final List<String> gradNames = new ArrayList<>();
    private final HostTensor images;
    private final HostTensor labels;

    public GradientProbe(InferenceRuntime runtime, TrainStep step, SessionConfig config) {
        this.step = step;
        for (String p : step.params().keySet()) {
            String g = p + ".grad";
            if (step.train().graph().outputs().stream().noneMatch(v -> v.name().equals(g))) {
                throw new IllegalArgumentException("train step has no output " + g
                        + "; build it with TrainConfig.withGradientOutputs()");
            }
            gradNames.add(g);
        }
        session = runtime.open(ModelSource.of(step.train()), config);
        Map<String, Tensor> initial = new LinkedHashMap<>();
        initial.putAll(step.carried());
        initial.putAll(step.frozen());
        Set<String> inputs = session.inputs().stream().map(TensorSpec::name).collect(Collectors.toSet());
        for (Map.Entry<String, Tensor> e : initial.entrySet()) {
            if (inputs.contains(e.getKey())) {
                fixed.put(e.getKey(), HostTensor.ofFloats(e.getValue().dims(), e.getValue().toFloats()));
            }
        }
        if (inputs.contains(TrainStep.LR)) {
            fixed.put(TrainStep.LR, HostTensor.ofFloats(new long[0], 0f));
        }
        images = HostTensor.allocate(DataType.FLOAT, step.train().graph().inputs().get(0).shape().toArray());
        labels = HostTensor.allocate(DataType.INT64, step.batch());
    }

    /** Gradients of the mean loss over the images at {@code indices} (exactly one batch of them). */
    public Map<String, Tensor> gradients(Dataset data, int[] indices) {
        if (indices.length != step.batch()) {
            throw new IllegalArgumentException("the train step takes batches of " + step.batch() + ", got "
                    + indices.length + " indices");
        }
        FloatBuffer x = images.data().asFloatBuffer();
        for (int i = 0; i < indices.length; i++) {
            data.fill(indices[i], x);
            labels.data().putLong(8 * i, data.label(indices[i]));
        }
        Map<String, HostTensor> feed = new HashMap<>(fixed);
        feed.put(step.input(), images);
        feed.put(TrainStep.LABELS, labels);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Outputs r = session.run(feed, gradNames)) {
            for (Map.Entry<String, HostTensor> e : r.asMap().entrySet()) {
                String name = e.getKey().substring(0, e.getKey().length() - ".grad".length());
                out.put(name, Tensor.ofFloats(e.getValue().shape(), e.getValue().toFloats()));
            }
        }
        return out;
    }

    /** Taylor's mixed batches: a seeded shuffle of the whole set cut into full batches (the remainder is dropped). */
    public static List<int[]> shuffledBatches(Dataset data, int batch, long seed) {
        List<Integer> shuffled = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            shuffled.add(i);
        }
        java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
        int[] order = shuffled.stream().mapToInt(Integer::intValue).toArray();
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from + batch <= order.length; from += batch) {
            batches.add(java.util.Arrays.copyOfRange(order, from, from + batch));
        }
        return batches;
    }

    /**
     * CIC's class-wise batches: every batch holds one class only; a class's images are followed by re-draws of the
     * same class to fill the last batch (SEEDS §5.1, {@code reorganize_cls_sqe}). Returns, per batch, its class.
     */
    public static List<int[]> singleClassBatches(Dataset data, int batch, long seed) {
        java.util.Random r = new java.util.Random(seed);
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < data.numClasses(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < data.size(); i++) {
            byClass.get(data.label(i)).add(i);
        }
        List<int[]> batches = new ArrayList<>();
        for (List<Integer> members : byClass) {
            if (members.isEmpty()) {
                continue;
            }
            List<Integer> seq = new ArrayList<>(members);
            while (seq.size() % batch != 0) {
                seq.add(members.get(r.nextInt(members.size())));
            }
            for (int from = 0; from < seq.size(); from += batch) {
                batches.add(seq.subList(from, from + batch).stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return batches;
    }

    @Override
    public void close() {
        session.close();
    }
}

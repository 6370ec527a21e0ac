package dev.lathe.runtime.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.runtime.ort.OrtNchwc;
import dev.lathe.runtime.data.Dataset;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a train step built with gradient outputs ({@code TrainConfig.withGradientOutputs()}) to read the loss
 * gradient of every parameter for one batch, without applying any update: what Taylor and CIC importance need.
 * Parameters stay at the step's initial values (the model's weights); BatchNorm uses batch statistics, as in
 * PyTorch's train mode when these criteria are estimated.
 */
public final class GradientProbe implements AutoCloseable {
    private final TrainStep step;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Map<String, OnnxTensor> fixed = new HashMap<>();
    private final Set<String> gradNames = new LinkedHashSet<>();
    private final long[] imageShape;

    public GradientProbe(TrainStep step, int threads) throws OrtException {
        this.step = step;
        for (String p : step.params().keySet()) {
            String g = p + ".grad";
            if (step.train().graph().outputs().stream().noneMatch(v -> v.name().equals(g))) {
                throw new IllegalArgumentException("train step has no output " + g
                        + "; build it with TrainConfig.withGradientOutputs()");
            }
            gradNames.add(g);
        }
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(threads);
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(OrtNchwc.cpuSessionBytes(step.train(), "gradient probe step"), so);
        Map<String, Tensor> initial = new LinkedHashMap<>();
        initial.putAll(step.params());
        initial.putAll(step.buffers());
        initial.putAll(step.state());
        initial.putAll(step.frozen());
        Set<String> inputs = session.getInputNames();
        for (Map.Entry<String, Tensor> e : initial.entrySet()) {
            if (inputs.contains(e.getKey())) {
                fixed.put(e.getKey(), floatTensor(e.getValue().toFloats(), e.getValue().dims()));
            }
        }
        if (inputs.contains(TrainStep.LR)) {
            fixed.put(TrainStep.LR, floatTensor(new float[] {0f}, new long[0]));
        }
        Value image = step.train().graph().inputs().get(0);
        imageShape = image.shape().toArray();
    }

    private OnnxTensor floatTensor(float[] v, long[] dims) throws OrtException {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * Math.max(v.length, 1)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        b.put(v).rewind();
        return OnnxTensor.createTensor(env, b, dims);
    }

    /** Gradients of the mean loss over the images at {@code indices} (exactly one batch of them). */
    public Map<String, Tensor> gradients(Dataset data, int[] indices) throws OrtException {
        if (indices.length != step.batch()) {
            throw new IllegalArgumentException("the train step takes batches of " + step.batch() + ", got "
                    + indices.length + " indices");
        }
        int per = (int) Tensor.numel(imageShape) / step.batch();
        FloatBuffer x = ByteBuffer.allocateDirect(4 * per * step.batch()).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        long[] labels = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            data.fill(indices[i], x);
            labels[i] = data.label(indices[i]);
        }
        x.rewind();
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (OnnxTensor xt = OnnxTensor.createTensor(env, x, imageShape);
             OnnxTensor lt = OnnxTensor.createTensor(env, labels)) {
            Map<String, OnnxTensor> feed = new HashMap<>(fixed);
            feed.put(step.input(), xt);
            feed.put(TrainStep.LABELS, lt);
            try (OrtSession.Result r = session.run(feed, gradNames)) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    float[] v = new float[(int) Tensor.numel(t.getInfo().getShape())];
                    t.getFloatBuffer().get(v);
                    String name = e.getKey().substring(0, e.getKey().length() - ".grad".length());
                    out.put(name, Tensor.ofFloats(t.getInfo().getShape(), v));
                }
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
    public void close() throws OrtException {
        for (OnnxTensor t : fixed.values()) {
            t.close();
        }
        session.close();
    }
}

package dev.lathe.runtime.ort.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.pass.Passes;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.BatchLoader;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.data.Mixup;
import dev.lathe.runtime.io.ProgressLine;
import dev.lathe.runtime.ort.OrtNchwc;
import dev.lathe.runtime.ort.OrtRuntime;
import dev.lathe.runtime.ort.OrtTypes;
import dev.lathe.runtime.train.Accuracy;
import dev.lathe.runtime.train.Checkpoint;
import dev.lathe.runtime.train.EpochMetrics;
import dev.lathe.runtime.train.LrSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs a {@link TrainStep} in ONNX Runtime. Parameters, BN buffers and optimizer state (of whatever element type the
 * step declares) live in two sets of direct buffers wrapped once as tensors: each step reads set A and writes set B as
 * pinned outputs, then the roles swap, so no weight is copied on the Java side. The batch, labels and learning rate
 * are direct buffers overwritten in place; other inputs the step's objective declares are filled by name through
 * {@link ExtraInput}s, and {@link TrainStep#SEED} gets a seed derived from the run's seed and the global step, so
 * in-graph random draws repeat exactly on resume.
 *
 * <p>Determinism: the epoch's shuffle comes from (seed, epoch), synthetic images from (seed, index), and ORT runs
 * with deterministic compute, so a run resumed from a checkpoint continues exactly as the uninterrupted run.
 */
public final class Trainer implements AutoCloseable {
    /**
     * stopAfterEpochs: end the run after that many epochs in total (-1: run all), as if killed then. loaderWorkers:
     * threads decoding and augmenting batches ahead of the step ({@link BatchLoader}, two batches prefetched).
     */
    public record Options(int epochs, LrSchedule schedule, long seed, int threads, Path outDir, boolean resume,
            PrintStream progress, int stopAfterEpochs, int loaderWorkers, SessionConfig.Device device) {
        public Options(int epochs, LrSchedule schedule, long seed, int threads, Path outDir, boolean resume,
                PrintStream progress, int stopAfterEpochs) {
            this(epochs, schedule, seed, threads, outDir, resume, progress, stopAfterEpochs, DEFAULT_LOADER_WORKERS);
        }

        public Options(int epochs, LrSchedule schedule, long seed, int threads, Path outDir, boolean resume,
                PrintStream progress, int stopAfterEpochs, int loaderWorkers) {
            this(epochs, schedule, seed, threads, outDir, resume, progress, stopAfterEpochs, loaderWorkers,
                    SessionConfig.Device.CPU);
        }

        /** The same options on another device (CUDA runs the step graph with ORT's CUDA execution provider). */
        public Options on(SessionConfig.Device d) {
            return new Options(epochs, schedule, seed, threads, outDir, resume, progress, stopAfterEpochs,
                    loaderWorkers, d);
        }
    }

    /** Fills an extra input of the step (a target, a mask) before each run; {@code into} is its direct buffer. */
    @FunctionalInterface
    public interface ExtraInput {
        void fill(long globalStep, ByteBuffer into);
    }

    /** Two decoding threads keep a 2-core machine's ORT threads fed on synthetic and CIFAR-sized images. */
    public static final int DEFAULT_LOADER_WORKERS = 2;
    private static final int PREFETCH = 2;

    public static final String CHECKPOINT = "checkpoint.bin";
    private static final String METRICS_CSV = "metrics.csv";
    private static final String METRICS_JSONL = "metrics.jsonl";

    private final TrainStep step;
    private final Options opt;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    /** Step and epoch lines: redrawn on a terminal, plain lines every few seconds in a file or pipe. */
    private final ProgressLine progress;
    private final OrtSession trainSession;
    private final OrtSession evalSession;
    private final List<String> stateNames = new ArrayList<>();
    private final List<DataType> stateTypes = new ArrayList<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final ByteBuffer[][] buffers;
    private final OnnxTensor[][] tensors;
    private final List<Map<String, OnnxTensor>> feeds = new ArrayList<>();
    private final List<Map<String, OnnxTensor>> pinned = new ArrayList<>();
    private final FloatBuffer batch;
    private final LongBuffer labels;
    private final FloatBuffer lr;
    private final FloatBuffer applyUpdate;
    private final LongBuffer seed;
    private final Map<String, ExtraInput> extraFillers;
    private final Map<String, ByteBuffer> extraBuffers = new LinkedHashMap<>();
    private long microSteps;
    private long globalStep;
    private final FloatBuffer loss;
    private final FloatBuffer correct;
    /**
     * Distillation: the teacher runs on each batch, writing its logits into the step's teacher input; for a KL step
     * (ISP's KL(softmax(teacher) || softmax(student))) they are turned into the target probabilities in Java.
     */
    private final OrtSession teacherSession;
    private final Mixup mixup;
    private FloatBuffer teacherLogits;
    private FloatBuffer targetProbs;
    private final Map<String, OnnxTensor> teacherFeed = new HashMap<>();
    private final Map<String, OnnxTensor> teacherPinned = new HashMap<>();
    private final List<OnnxTensor> owned = new ArrayList<>();
    private int current;
    private long runNanos;

    public Trainer(TrainStep step, Options opt) throws OrtException {
        this(step, opt, null);
    }

    /**
     * @param teacher for a distillation step (input {@code teacher_logits}) or a KL step (input
     *     {@code target_probs}, fed softmax(teacher logits)): a forward model taking the same image batch, whose
     *     logits output (named {@code logits}, else the first) is computed in inference mode before every step; null
     *     for the other losses
     */
    public Trainer(TrainStep step, Options opt, Model teacher) throws OrtException {
        this(step, opt, teacher, Map.of());
    }

    /**
     * @param extras a filler for every input of the step that is not the data, labels, learning rate, seed,
     *     accumulation flag, teacher input or trained state (a step input without one is refused, by name)
     */
    public Trainer(TrainStep step, Options opt, Model teacher, Map<String, ExtraInput> extras) throws OrtException {
        this(step, opt, teacher, extras, null);
    }

    /**
     * @param mixup mixes every training batch in the loader and feeds its soft targets to the step's
     *     {@code target_probs} input (a KL step, no teacher); null for none
     */
    public Trainer(TrainStep step, Options opt, Model teacher, Map<String, ExtraInput> extras, Mixup mixup)
            throws OrtException {
        this.step = step;
        this.opt = opt;
        this.mixup = mixup;
        this.progress = opt.progress() == null ? null : ProgressLine.on(opt.progress());
        this.extraFillers = Map.copyOf(extras);
        if (mixup != null && (!hasInput(step, TrainStep.TARGET_PROBS) || teacher != null)) {
            throw new IllegalArgumentException("mixup/cutmix feeds the soft targets of a KL step (input "
                    + TrainStep.TARGET_PROBS + ") and takes no teacher");
        }
        String teacherInput = hasInput(step, TrainStep.TARGET_PROBS) ? TrainStep.TARGET_PROBS
                : hasInput(step, TrainStep.TEACHER_LOGITS) ? TrainStep.TEACHER_LOGITS : null;
        if (mixup == null && (teacherInput != null) != (teacher != null)) {
            throw new IllegalArgumentException(teacherInput != null ? "a distillation or KL step needs a teacher model"
                    : "a teacher model was given but the step's loss does not distill");
        }
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(opt.threads());
        so.setInterOpNumThreads(1);
        so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        so.setDeterministicCompute(true);
        boolean cuda = opt.device().kind() == SessionConfig.Device.Kind.CUDA;
        if (cuda) {
            // unverified on a GPU in this project so far; parameters and state stay in pinned host buffers, so
            // ORT copies them to the device and back every step
            OrtRuntime.addCuda(so, opt.device().index());
        }
        trainSession = env.createSession(cuda ? Onnx.toBytes(step.train())
                : OrtNchwc.cpuSessionBytes(step.train(), "train step"), so);
        evalSession = env.createSession(Onnx.toBytes(step.eval()), so);

        Map<String, Tensor> initial = new LinkedHashMap<>();
        initial.putAll(step.carried());
        buffers = new ByteBuffer[2][initial.size()];
        tensors = new OnnxTensor[2][initial.size()];
        int i = 0;
        for (Map.Entry<String, Tensor> e : initial.entrySet()) {
            Tensor t = e.getValue();
            stateNames.add(e.getKey());
            stateTypes.add(t.dtype());
            shapes.put(e.getKey(), t.dims());
            for (int s = 0; s < 2; s++) {
                buffers[s][i] = directBytes(t.byteSize());
                tensors[s][i] = track(OrtTypes.wrap(env, t.dtype(), buffers[s][i], t.dims()));
            }
            buffers[0][i].put(0, t.data(), 0, (int) t.byteSize());
            i++;
        }
        long[] image = step.train().graph().inputs().get(0).shape().toArray();
        batch = direct((int) Tensor.numel(image));
        labels = ByteBuffer.allocateDirect(8 * step.batch()).order(ByteOrder.nativeOrder()).asLongBuffer();
        lr = direct(1);
        applyUpdate = direct(1);
        seed = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asLongBuffer();
        loss = direct(1);
        correct = direct(1);
        OnnxTensor batchT = track(OnnxTensor.createTensor(env, batch, image));
        OnnxTensor labelsT = track(OnnxTensor.createTensor(env, labels, new long[] {step.batch()}));
        OnnxTensor lrT = track(OnnxTensor.createTensor(env, lr, new long[0]));
        OnnxTensor applyT = track(OnnxTensor.createTensor(env, applyUpdate, new long[0]));
        OnnxTensor seedT = track(OnnxTensor.createTensor(env, seed, new long[0]));
        Map<String, OnnxTensor> extraTensors = new LinkedHashMap<>();
        for (dev.lathe.graph.ir.Value in : step.train().graph().inputs()) {
            String name = in.name();
            if (name.equals(step.input()) || name.equals(TrainStep.LABELS) || name.equals(TrainStep.LR)
                    || name.equals(TrainStep.APPLY_UPDATE) || name.equals(TrainStep.SEED) || name.equals(teacherInput)
                    || initial.containsKey(name)) {
                continue;
            }
            ExtraInput filler = extraFillers.get(name);
            if (filler == null) {
                throw new IllegalArgumentException("train step input '" + name + "' (" + in.type() + ") has no feed;"
                        + " give the trainer an ExtraInput for it");
            }
            ByteBuffer b = directBytes(in.dtype().byteSize(Tensor.numel(in.shape().toArray())));
            extraBuffers.put(name, b);
            extraTensors.put(name, track(OrtTypes.wrap(env, in.dtype(), b, in.shape().toArray())));
        }
        OnnxTensor lossT = track(OnnxTensor.createTensor(env, loss, new long[0]));
        OnnxTensor correctT = track(OnnxTensor.createTensor(env, correct, new long[0]));
        OnnxTensor teacherT = null;
        if (teacher != null) {
            teacherSession = env.createSession(Onnx.toBytes(teacher), so);
            long[] logitsShape = step.train().graph().inputs().stream()
                    .filter(v -> v.name().equals(teacherInput)).findFirst().orElseThrow().shape().toArray();
            teacherLogits = direct((int) Tensor.numel(logitsShape));
            OnnxTensor logitsT = track(OnnxTensor.createTensor(env, teacherLogits, logitsShape));
            if (teacherInput.equals(TrainStep.TARGET_PROBS)) {
                targetProbs = direct((int) Tensor.numel(logitsShape));
                teacherT = track(OnnxTensor.createTensor(env, targetProbs, logitsShape));
            } else {
                teacherT = logitsT;
            }
            List<String> teacherInputs = new ArrayList<>(teacherSession.getInputNames());
            if (teacherInputs.size() != 1) {
                throw new IllegalArgumentException("the teacher model must take one image input, it takes "
                        + teacherInputs);
            }
            teacherFeed.put(teacherInputs.get(0), batchT);
            List<String> outs = new ArrayList<>(teacherSession.getOutputNames());
            teacherPinned.put(outs.contains("logits") ? "logits" : outs.get(0), logitsT);
        } else {
            teacherSession = null;
        }
        if (mixup != null) {
            long[] targetShape = step.train().graph().inputs().stream()
                    .filter(v -> v.name().equals(TrainStep.TARGET_PROBS)).findFirst().orElseThrow().shape().toArray();
            targetProbs = direct((int) Tensor.numel(targetShape));
            teacherT = track(OnnxTensor.createTensor(env, targetProbs, targetShape));
        }
        for (int s = 0; s < 2; s++) {
            Map<String, OnnxTensor> in = new HashMap<>();
            Map<String, OnnxTensor> out = new LinkedHashMap<>();
            in.put(step.input(), batchT);
            if (hasInput(step, TrainStep.LABELS)) {
                in.put(TrainStep.LABELS, labelsT);
            }
            if (hasInput(step, TrainStep.SEED)) {
                in.put(TrainStep.SEED, seedT);
            }
            in.putAll(extraTensors);
            in.put(TrainStep.LR, lrT);
            if (step.accumulation() > 1) {
                in.put(TrainStep.APPLY_UPDATE, applyT);
            }
            if (teacherT != null) {
                in.put(teacherInput, teacherT);
            }
            out.put(TrainStep.LOSS, lossT);
            if (hasOutput(step, TrainStep.CORRECT)) {
                out.put(TrainStep.CORRECT, correctT);
            } else {
                correct.put(0, Float.NaN); // no classifier output: no accuracy to report
            }
            for (int k = 0; k < stateNames.size(); k++) {
                in.put(stateNames.get(k), tensors[s][k]);
                out.put(TrainStep.next(stateNames.get(k)), tensors[1 - s][k]);
            }
            feeds.add(in);
            pinned.add(out);
        }
    }

    /** Row-wise softmax of [rows, classes] logits, max-subtracted, in double. */
    private static void softmaxRows(FloatBuffer logits, FloatBuffer probs, int rows) {
        int classes = logits.capacity() / rows;
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits.get(base + c));
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits.get(base + c) - max);
            }
            for (int c = 0; c < classes; c++) {
                probs.put(base + c, (float) (Math.exp(logits.get(base + c) - max) / sum));
            }
        }
    }

    private static ByteBuffer directBytes(long n) {
        return ByteBuffer.allocateDirect((int) Math.max(n, 1)).order(ByteOrder.nativeOrder());
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(4 * Math.max(n, 1)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private OnnxTensor track(OnnxTensor t) {
        owned.add(t);
        return t;
    }

    /**
     * One run of the step on the batch already in the input buffers; returns (loss, correct). With gradient
     * accumulation K every K-th run applies the update and the others only accumulate.
     */
    public float[] step(double learningRate) throws OrtException {
        lr.put(0, (float) learningRate);
        seed.put(0, seedOf(opt.seed(), globalStep));
        for (Map.Entry<String, ByteBuffer> e : extraBuffers.entrySet()) {
            extraFillers.get(e.getKey()).fill(globalStep, e.getValue().clear());
        }
        globalStep++;
        applyUpdate.put(0, ++microSteps % step.accumulation() == 0 ? 1f : 0f);
        long t0 = System.nanoTime();
        if (teacherSession != null) {
            try (OrtSession.Result r = teacherSession.run(teacherFeed, teacherPinned)) {
                // the teacher's logits are now in the step's teacher_logits buffer
            }
            if (targetProbs != null) {
                softmaxRows(teacherLogits, targetProbs, step.batch());
            }
        }
        try (OrtSession.Result r = trainSession.run(feeds.get(current), pinned.get(current))) {
            runNanos += System.nanoTime() - t0;
        }
        current ^= 1;
        return new float[] {loss.get(0), correct.get(0)};
    }

    /** Fills the batch input and labels from dataset indices. */
    public void loadBatch(Dataset data, int[] order, int from) {
        batch.clear();
        for (int i = 0; i < step.batch(); i++) {
            int idx = order[from + i];
            data.fill(idx, batch);
            labels.put(i, data.label(idx));
        }
        batch.rewind();
    }

    /** Trains (resuming from the checkpoint in outDir when asked) and returns every epoch's metrics. */
    public List<EpochMetrics> fit(Dataset train, Dataset val) throws OrtException, IOException {
        int start = 0;
        Path ckpt = opt.outDir() == null ? null : opt.outDir().resolve(CHECKPOINT);
        if (opt.outDir() != null) {
            Files.createDirectories(opt.outDir());
        }
        if (opt.resume()) {
            if (ckpt == null || !Files.exists(ckpt)) {
                throw new IOException("--resume: no checkpoint at " + ckpt);
            }
            start = restore(Checkpoint.read(ckpt));
        } else if (opt.outDir() != null) { // a fresh run: its metrics must not follow an earlier run's rows
            Files.deleteIfExists(opt.outDir().resolve(METRICS_CSV));
            Files.deleteIfExists(opt.outDir().resolve(METRICS_JSONL));
        }
        // whole accumulation groups only, so every epoch ends on an applied update and leaves no partial sum behind
        int steps = train.size() / step.batch() / step.accumulation() * step.accumulation();
        if (steps == 0) {
            throw new IllegalArgumentException("the training set has " + train.size() + " images, fewer than one update"
                    + " of " + step.accumulation() + " x " + step.batch());
        }
        int[] counts = train.classCounts();
        List<EpochMetrics> history = new ArrayList<>();
        int end = opt.stopAfterEpochs() >= 0 ? Math.min(opt.epochs(), opt.stopAfterEpochs()) : opt.epochs();
        try (BatchLoader loader = new BatchLoader(train, step.batch(), opt.loaderWorkers(), PREFETCH, opt.seed(), true,
                true, mixup)) {
            for (int epoch = start; epoch < end; epoch++) {
                history.add(trainEpoch(loader, epoch, steps, val, counts, ckpt));
            }
        }
        return history;
    }

    /**
     * One epoch: batches come from the loader's workers (a new random crop/flip per epoch, reproducible from (seed,
     * epoch, index), the order from (seed, epoch)) while the previous step runs; then evaluation and checkpoint.
     */
    private EpochMetrics trainEpoch(BatchLoader loader, int epoch, int steps, Dataset val, int[] counts, Path ckpt)
            throws OrtException, IOException {
        long epochStart = System.nanoTime();
        runNanos = 0;
        microSteps = 0;
        globalStep = (long) epoch * steps; // a resumed run continues the seed sequence where the killed one was
        Iterator<BatchLoader.Batch> batches = loader.epoch(epoch);
        double lossSum = 0;
        double correctSum = 0;
        double lastLr = 0;
        for (int s = 0; s < steps; s++) {
            loadBatch(batches.next());
            lastLr = opt.schedule().lr(epoch, s / (double) steps);
            float[] r = step(lastLr);
            lossSum += r[0];
            correctSum += r[1];
            if (progress != null && (s % 10 == 9 || s == steps - 1)) {
                progress.update(String.format("epoch %d/%d  step %d/%d  loss %.4f  acc %.3f", epoch + 1, opt.epochs(),
                        s + 1, steps, lossSum / (s + 1), correctSum / ((s + 1) * (double) step.batch())));
            }
        }
        long trainNanos = System.nanoTime() - epochStart;
        Accuracy acc = evaluate(val);
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        double images = (double) steps * step.batch();
        EpochMetrics m = new EpochMetrics(epoch + 1, lastLr, lossSum / steps, correctSum / images, acc.top1(),
                acc.top5(), acc.many(counts), acc.medium(counts), acc.few(counts), images / (trainNanos / 1e9),
                1 - runNanos / (double) trainNanos, seconds);
        if (opt.outDir() != null) {
            checkpoint(epoch + 1).write(ckpt);
            appendMetrics(m);
        }
        if (progress != null) {
            progress.done(String.format("epoch %d/%d  loss %.4f  train acc %.3f  val top1 %.3f  top5 %.3f  %.0f img/s"
                    + "  (%.1f s)", m.epoch(), opt.epochs(), m.trainLoss(), m.trainAccuracy(), m.valTop1(),
                    m.valTop5(), m.imagesPerSecond(), seconds));
        }
        return m;
    }

    /** Copies a loader batch (a full one: the loader drops the last short batch) into the step's input buffers. */
    private void loadBatch(BatchLoader.Batch b) {
        batch.clear();
        batch.put(b.images());
        batch.rewind();
        labels.clear();
        labels.put(b.labels());
        labels.rewind();
        if (b.targets() != null) {
            targetProbs.clear();
            targetProbs.put(b.targets());
            targetProbs.rewind();
        }
    }

    static int[] shuffle(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Per-class top-1/top-5 counts of the eval graph, with the current (or moving-average) weights, over a dataset. */
    public Accuracy evaluate(Dataset val) throws OrtException {
        long[] image = val.imageShape();
        int per = (int) Tensor.numel(image);
        Accuracy.Tally tally = new Accuracy.Tally(val.numClasses());
        Map<String, OnnxTensor> in = new HashMap<>();
        for (String name : evalSession.getInputNames()) {
            int k = weightIndex(name);
            if (k >= 0) {
                in.put(name, tensors[current][k]);
            }
        }
        int b = step.batch();
        FloatBuffer x = direct(b * per); // one buffer for every batch; the last, shorter one uses a prefix
        for (int from = 0; from < val.size(); from += b) {
            int n = Math.min(b, val.size() - from);
            x.clear();
            for (int i = 0; i < n; i++) {
                val.fill(from + i, x);
            }
            x.flip();
            try (OnnxTensor xt = OnnxTensor.createTensor(env, x, new long[] {n, image[0], image[1], image[2]})) {
                in.put(step.input(), xt);
                try (OrtSession.Result r = evalSession.run(in)) {
                    FloatBuffer logits = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    for (int i = 0; i < n; i++) {
                        tally.add(logits, i, val.label(from + i));
                    }
                }
            }
        }
        return tally.result();
    }

    /**
     * Where the weight {@code name} used for evaluation and export lives: its moving average when the step keeps
     * one ({@code --ema}), else itself; -1 if it is not trained state.
     */
    private int weightIndex(String name) {
        int ema = stateNames.indexOf(name + TrainStep.EMA);
        return ema >= 0 ? ema : stateNames.indexOf(name);
    }

    /** Copies of the current parameters, buffers and optimizer state by name, in their own element types. */
    public Map<String, Tensor> weights() {
        return weights(name -> true);
    }

    /** Copies of the carried tensors whose names {@code names} accepts (a few, without copying the rest). */
    public Map<String, Tensor> weights(java.util.function.Predicate<String> names) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int k = 0; k < stateNames.size(); k++) {
            if (!names.test(stateNames.get(k))) {
                continue;
            }
            ByteBuffer copy = ByteBuffer.allocate(buffers[current][k].capacity()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(0, buffers[current][k], 0, copy.capacity());
            out.put(stateNames.get(k), Tensor.of(stateTypes.get(k), shapes.get(stateNames.get(k)), copy));
        }
        return out;
    }

    Checkpoint checkpoint(int epochsDone) {
        return new Checkpoint(epochsDone, weights());
    }

    private int restore(Checkpoint c) {
        for (int k = 0; k < stateNames.size(); k++) {
            String name = stateNames.get(k);
            Tensor t = c.tensors().get(name);
            if (t == null || t.dtype() != stateTypes.get(k) || t.byteSize() != buffers[current][k].capacity()) {
                throw new IllegalArgumentException("checkpoint lacks " + name + " or has another type or size ("
                        + (t == null ? "absent" : t.type()) + ", the step holds " + stateTypes.get(k) + " "
                        + java.util.Arrays.toString(shapes.get(name)) + "); it was written for another model or "
                        + "optimizer");
            }
            buffers[current][k].put(0, t.data(), 0, (int) t.byteSize());
        }
        return c.epochsDone();
    }

    /** The seed of global step {@code step}: a fixed mix of the run's seed and the step, the same after a resume. */
    static long seedOf(long runSeed, long step) {
        return runSeed * 0x9E3779B97F4A7C15L + step;
    }

    private void appendMetrics(EpochMetrics m) throws IOException {
        Path csv = opt.outDir().resolve(METRICS_CSV);
        if (!Files.exists(csv)) {
            Files.writeString(csv, EpochMetrics.CSV_HEADER + "\n");
        }
        Files.writeString(csv, m.csv() + "\n", StandardOpenOption.APPEND);
        Files.writeString(opt.outDir().resolve(METRICS_JSONL), new ObjectMapper().writeValueAsString(m) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Writes {@code forward} (a fresh copy of the model trained) with the current weights (their moving averages
     * when the step keeps them), eval-mode BN.
     */
    public void exportInference(Model forward, Path file) throws IOException {
        exportInference(forward, file, false);
    }

    /**
     * As {@link #exportInference(Model, Path)}; {@code foldBatchNorm} first runs the inference cleanup passes, which
     * fold each BatchNormalization into the Conv before it (exact in real arithmetic, not bit-exact in float32).
     */
    public void exportInference(Model forward, Path file, boolean foldBatchNorm) throws IOException {
        Map<String, Tensor> w = weights();
        for (Value init : forward.graph().initializers().values()) {
            Tensor v = w.get(init.name() + TrainStep.EMA);
            v = v != null ? v : w.get(init.name());
            if (v != null) {
                init.setConstValue(Tensor.of(v.dtype(), init.constValue().dims(), v.data()));
            }
        }
        if (foldBatchNorm) {
            Passes.inferenceCleanup().apply(forward);
        }
        Onnx.save(forward, file); // atomic: temp file, then rename
    }

    /** Seconds spent inside OrtSession.run since the epoch (or benchmark window) started. */
    public double runSeconds() {
        return runNanos / 1e9;
    }

    public void resetRunTime() {
        runNanos = 0;
    }

    @Override
    public void close() throws OrtException {
        for (OnnxTensor t : owned) {
            t.close();
        }
        trainSession.close();
        evalSession.close();
        if (teacherSession != null) {
            teacherSession.close();
        }
    }

    private static boolean hasInput(TrainStep step, String name) {
        return step.train().graph().inputs().stream().anyMatch(v -> v.name().equals(name));
    }

    private static boolean hasOutput(TrainStep step, String name) {
        return step.train().graph().outputs().stream().anyMatch(v -> v.name().equals(name));
    }
}

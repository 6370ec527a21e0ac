package dev.lathe.runtime.dynamic;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.pass.DeadCodeElimination;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.InputMismatchException;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AnchorNet's early-exit cascade as a {@link Session}: normalised 224x224 crops in; prediction, exit stage,
 * confidence, MACs spent, the cumulative logits at exit and the time to exit out, per image.
 *
 * <p>Stage 0 runs the resized net on the bicubic 95x95 resize of every image. Images whose confidence (max softmax)
 * is not above tau_0 continue: AnchorNet runs once on them, its CAM orders the 17x17 cells and {@link PatchSelection}
 * picks one patch per later stage. Stage j runs the patch net on patch j of the images still running, adds its
 * logits to their running sum and lets out those above tau_j; the last stage lets out everyone left. Each stage is
 * one batched call over the still-running images only (gather the rows that continue, scatter the results back).
 *
 * <p>MACs per image come from graph-ops counting of the three models: stage 0 costs the resized net, stage j >= 1
 * adds AnchorNet once and the patch net j times. The resize, CAM and selection are not counted (no weights).
 *
 * <p>Calls are serialised, as the {@link Session} contract asks; views made by {@link #withExitThresholds} share the
 * three sessions, which serialise their own calls.
 */
public final class AnchorCascade implements Session {
    public static final String INPUT = "input";
    public static final List<String> OUTPUT_NAMES = List.of("prediction", "exit_stage", "confidence", "macs", "logits",
            "exit_ms");

    private final Session resized;
    private final Session anchornet;
    private final Session patch;
    private final boolean ownsSessions;
    private final CascadeSettings settings;
    private final long[] componentMacs;
    private final int height;
    private final int width;
    private final int resizedSize;
    private final String featuresName;
    private final String weightName;
    private final String anchorLogitsName;
    private final CascadeStats stats = new CascadeStats();
    private final Scratch scratch = new Scratch();
    /**
     * AnchorNet's FC weight, fetched with the first call and kept: it is a weight, the same for every image, and
     * fetching it per call copied [classes, C] floats (5 MB for 1000 x 1280) for each batch.
     */
    private float[] fcWeight;
    private volatile boolean closed;

    /**
     * A cascade over sessions the caller owns (and closes).
     * @param componentMacs MACs per image of the resized net, AnchorNet and the patch net
     */
    public AnchorCascade(Session resized, Session anchornet, Session patch, CascadeSettings settings,
            long[] componentMacs) {
        this(resized, anchornet, patch, settings, componentMacs, false);
    }

    private AnchorCascade(Session resized, Session anchornet, Session patch, CascadeSettings settings,
            long[] componentMacs, boolean owns) {
        this.resized = resized;
        this.anchornet = anchornet;
        this.patch = patch;
        this.settings = settings;
        this.componentMacs = componentMacs.clone();
        this.ownsSessions = owns;
        TensorSpec in = anchornet.inputs().get(0);
        this.height = fixed(in, 2, "AnchorNet");
        this.width = fixed(in, 3, "AnchorNet");
        TensorSpec r = resized.inputs().get(0);
        this.resizedSize = fixed(r, 2, "the resized net");
        if (fixed(r, 3, "the resized net") != resizedSize) {
            throw new IllegalArgumentException("the resized net must take a square input, got " + r.describe());
        }
        TensorSpec p = patch.inputs().get(0);
        if (fixed(p, 2, "the patch net") != settings.patchSize() || fixed(p, 3, "the patch net") != settings.patchSize()) {
            throw new IllegalArgumentException("the patch net takes " + p.describe() + ", but patches are "
                    + settings.patchSize() + "x" + settings.patchSize());
        }
        List<String> names = anchornet.outputs().stream().map(TensorSpec::name).toList();
        if (names.size() < 3) {
            throw new IllegalArgumentException("AnchorNet must output (features, fc_weight, logits), has " + names);
        }
        this.featuresName = names.contains("features") ? "features" : names.get(0);
        this.weightName = names.contains("fc_weight") ? "fc_weight" : names.get(1);
        this.anchorLogitsName = names.contains("logits") ? "logits" : names.get(2);
    }

    /**
     * Opens the three models on one runtime and counts their MACs per image with graph-ops; the cascade owns the
     * sessions and closes them. The sessions run in turn, so their worker threads do not spin between runs
     * ({@link SessionConfig#idleSpinning}: at batch 1 on 2 cores spinning pools cost a third of the throughput).
     */
    public static AnchorCascade open(InferenceRuntime runtime, SessionConfig requested, Model anchornet,
            Model resized, Model patch, CascadeSettings settings) {
        SessionConfig config = requested.withIdleSpinning(false);
        long[] macs = {macs(resized, "resized net"), macs(anchornet, "AnchorNet"), macs(patch, "patch net")};
        List<Session> opened = new ArrayList<>();
        try {
            Session r = runtime.open(ModelSource.of(live(resized)), config);
            opened.add(r);
            Session a = runtime.open(ModelSource.of(live(anchornet)), config);
            opened.add(a);
            Session p = runtime.open(ModelSource.of(live(patch)), config);
            opened.add(p);
            return new AnchorCascade(r, a, p, settings, macs, true);
        } catch (RuntimeException e) {
            opened.forEach(Session::close);
            throw e;
        }
    }

    /**
     * A copy of {@code m} without what no output reads: the zoo's AnchorNet carries the authors' unused
     * {@code bneck.0.conv1/bn1} parameters (so their checkpoint binds by key), and ONNX Runtime warned about each of
     * them whenever a cascade opened.
     */
    private static Model live(Model m) {
        Model copy = m.copy();
        new DeadCodeElimination().apply(copy);
        return copy;
    }

    private static long macs(Model m, String what) {
        ModelCount c = ModelCounter.count(m);
        if (!c.macsKnown()) {
            throw new IllegalArgumentException(what + " has symbolic sizes beyond the batch, its MACs cannot be"
                    + " counted (uncounted: " + c.uncounted() + "); export it at a fixed resolution");
        }
        return c.macs();
    }

    private static int fixed(TensorSpec spec, int axis, String what) {
        if (spec.shape().rank() != 4 || !spec.shape().get(axis).isFixed()) {
            throw new IllegalArgumentException(what + " needs an input [N, 3, H, W] with fixed H and W, has "
                    + spec.describe());
        }
        return (int) spec.shape().get(axis).size();
    }

    /**
     * A view of this cascade with other exit thresholds (same number of stages or fewer), sharing its sessions; the
     * view does not close them.
     */
    public AnchorCascade withExitThresholds(double... thresholds) {
        checkOpen();
        if (thresholds.length > settings.stages()) {
            throw new IllegalArgumentException(thresholds.length + " thresholds for a cascade of " + settings.stages()
                    + " stages");
        }
        return new AnchorCascade(resized, anchornet, patch, settings.withExitThresholds(thresholds), componentMacs,
                false);
    }

    public CascadeSettings settings() {
        return settings;
    }

    public CascadeStats stats() {
        return stats;
    }

    /** MACs per image spent by an image that exits at {@code stage}. */
    public long stageMacs(int stage) {
        return stage == 0 ? componentMacs[0] : componentMacs[0] + componentMacs[1] + (long) stage * componentMacs[2];
    }

    /** MACs per image of every stage run for every image (the static ensemble of all stages). */
    public long allStagesMacs() {
        return stageMacs(settings.stages() - 1);
    }

    @Override
    public String runtimeName() {
        return "anchornet-cascade/" + anchornet.runtimeName();
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(new TensorSpec(INPUT, DataType.FLOAT, Shape.of("N", 3L, (long) height, (long) width)));
    }

    @Override
    public List<TensorSpec> outputs() {
        return List.of(new TensorSpec("prediction", DataType.INT64, Shape.of("N")),
                new TensorSpec("exit_stage", DataType.INT64, Shape.of("N")),
                new TensorSpec("confidence", DataType.FLOAT, Shape.of("N")),
                new TensorSpec("macs", DataType.INT64, Shape.of("N")),
                new TensorSpec("logits", DataType.FLOAT, Shape.of("N", "C")),
                new TensorSpec("exit_ms", DataType.FLOAT, Shape.of("N")));
    }

    @Override
    public Outputs run(Map<String, HostTensor> inputs) {
        return run(inputs, OUTPUT_NAMES);
    }

    @Override
    public synchronized Outputs run(Map<String, HostTensor> inputs, Collection<String> outputNames) {
        checkOpen();
        for (String n : outputNames) {
            if (!OUTPUT_NAMES.contains(n)) {
                throw new InputMismatchException("the cascade has no output '" + n + "'; it has " + OUTPUT_NAMES);
            }
        }
        HostTensor x = input(inputs);
        int n = (int) x.shape()[0];
        float[] images = scratch.floats("input", (int) x.numel());
        x.data().asFloatBuffer().get(images);
        Result r = schedule(images, n);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        long[] shape = {n};
        for (String name : outputNames) {
            out.put(name, switch (name) {
                case "prediction" -> HostTensor.ofLongs(shape, r.prediction);
                case "exit_stage" -> HostTensor.ofLongs(shape, Arrays.stream(r.exitStage).asLongStream().toArray());
                case "confidence" -> HostTensor.ofFloats(shape, r.confidence);
                case "macs" -> HostTensor.ofLongs(shape, r.macs);
                case "logits" -> HostTensor.ofFloats(new long[] {n, r.classes}, r.logits);
                default -> HostTensor.ofFloats(shape, r.exitMs);
            });
        }
        return new Outputs(out, t -> { });
    }

    private HostTensor input(Map<String, HostTensor> inputs) {
        HostTensor x = inputs.get(INPUT);
        if (x == null || inputs.size() != 1) {
            throw new InputMismatchException("the cascade takes one input '" + INPUT + "' float32[N,3," + height + ","
                    + width + "], got " + inputs.keySet());
        }
        long[] s = x.shape();
        if (x.dtype() != DataType.FLOAT || s.length != 4 || s[1] != 3 || s[2] != height || s[3] != width) {
            throw new InputMismatchException("input '" + INPUT + "' must be float32[N,3," + height + "," + width
                    + "], got " + x.dtype() + Arrays.toString(s));
        }
        return x;
    }

    /** What the scheduler decided, per image. */
    private record Result(int classes, long[] prediction, int[] exitStage, float[] confidence, long[] macs,
            float[] logits, float[] exitMs) {}

    private Result schedule(float[] x, int n) {
        long t0 = System.nanoTime();
        long[] sessionNanos = {0};
        int stages = settings.stages();
        int imageSize = 3 * height * width;
        long r0 = System.nanoTime();
        float[] small = scratch.floats("resized", n * 3 * resizedSize * resizedSize);
        for (int i = 0; i < n; i++) {
            BicubicResize.alignCorners(x, i * imageSize, 3, height, width, small, i * 3 * resizedSize * resizedSize,
                    resizedSize, resizedSize);
        }
        long resizeNanos = System.nanoTime() - r0;
        float[] first = runDownstream(resized, "resized", small, n, resizedSize, sessionNanos);
        int classes = first.length / Math.max(1, n);
        float[] cum = first; // [n, classes], row i = image i; rows of images still running are updated in place
        long[] prediction = new long[n];
        int[] exitStage = new int[n];
        float[] confidence = new float[n];
        long[] macs = new long[n];
        float[] exitMs = new float[n];
        int[] active = new int[n];
        for (int i = 0; i < n; i++) {
            active[i] = i;
        }
        int live = exitStage(cum, classes, active, n, 0, prediction, exitStage, confidence, macs, exitMs, t0);
        List<List<PatchSelection.Box>> boxes = null;
        for (int j = 1; j < stages && live > 0; j++) {
            int[] rows = Arrays.copyOf(active, live);
            if (boxes == null) {
                boxes = locate(x, rows, sessionNanos);
            }
            int patchSize = settings.patchSize();
            int patchLen = 3 * patchSize * patchSize;
            float[] batch = scratch.floats("patch", live * patchLen);
            for (int k = 0; k < live; k++) {
                crop(x, rows[k] * imageSize, boxes.get(rows[k]).get(j - 1), batch, k * patchLen);
            }
            float[] logits = runDownstream(patch, "patch", batch, live, patchSize, sessionNanos);
            for (int k = 0; k < live; k++) {
                int base = rows[k] * classes;
                for (int c = 0; c < classes; c++) {
                    cum[base + c] += logits[k * classes + c];
                }
            }
            live = exitStage(cum, classes, active, live, j, prediction, exitStage, confidence, macs, exitMs, t0);
        }
        stats.add(n, System.nanoTime() - t0, sessionNanos[0], resizeNanos, exitStage, stages);
        return new Result(classes, prediction, exitStage, confidence, macs, cum, exitMs);
    }

    /** Lets out the running images above tau_j (all at the last stage); compacts {@code active}; returns how many stay. */
    private int exitStage(float[] cum, int classes, int[] active, int live, int stage, long[] prediction,
            int[] exitStage, float[] confidence, long[] macs, float[] exitMs, long t0) {
        boolean last = stage == settings.stages() - 1;
        float tau = (float) settings.exitThresholds()[stage];
        int kept = 0;
        float now = (System.nanoTime() - t0) / 1e6f;
        for (int k = 0; k < live; k++) {
            int i = active[k];
            int best = argmax(cum, i * classes, classes);
            float conf = maxSoftmax(cum, i * classes, classes);
            if (last || conf > tau) {
                prediction[i] = best;
                exitStage[i] = stage;
                confidence[i] = conf;
                macs[i] = stageMacs(stage);
                exitMs[i] = now;
            } else {
                active[kept++] = i;
            }
        }
        return kept;
    }

    /** AnchorNet on the given images, CAM of each one's arg-max class, and its patches (one per later stage). */
    private List<List<PatchSelection.Box>> locate(float[] x, int[] rows, long[] sessionNanos) {
        int n = x.length / (3 * height * width);
        List<List<PatchSelection.Box>> boxes = new ArrayList<>(java.util.Collections.nCopies(n, null));
        Anchors a = anchors(x, rows, sessionNanos);
        for (int k = 0; k < rows.length; k++) {
            boxes.set(rows[k], select(a, k));
        }
        return boxes;
    }

    private List<PatchSelection.Box> select(Anchors a, int k) {
        float[] cam = PatchSelection.cam(a.features, k * a.channels * a.grid * a.grid, a.channels, a.grid * a.grid,
                a.weight, a.cls[k] * a.channels);
        List<PatchSelection.Box> b = PatchSelection.select(cam, a.grid, settings.patchSize(), settings.stride(),
                settings.patches(), settings.iouThresholds(), settings.flatIndexZeroQuirk());
        if (b.size() < settings.patches()) {
            throw new IllegalStateException("IoU thresholds " + Arrays.toString(settings.iouThresholds()) + " leave only "
                    + b.size() + " of " + settings.patches() + " patches for an image; loosen them or use fewer stages");
        }
        return b;
    }

    private record Anchors(float[] features, float[] weight, int[] cls, int channels, int grid) {}

    private Anchors anchors(float[] x, int[] rows, long[] sessionNanos) {
        int imageSize = 3 * height * width;
        boolean all = rows.length * imageSize == x.length; // rows are ascending: all of them is the identity
        float[] batch = all ? x : scratch.floats("anchornet", rows.length * imageSize);
        for (int k = 0; !all && k < rows.length; k++) {
            System.arraycopy(x, rows[k] * imageSize, batch, k * imageSize, imageSize);
        }
        long t = System.nanoTime();
        float[] weight = fcWeight;
        try (Outputs o = anchornet.run(Map.of(anchornet.inputs().get(0).name(),
                scratch.tensor("anchornet", new long[] {rows.length, 3, height, width}, batch)),
                weight == null ? List.of(featuresName, weightName, anchorLogitsName)
                        : List.of(featuresName, anchorLogitsName))) {
            sessionNanos[0] += System.nanoTime() - t;
            if (weight == null) {
                weight = o.get(weightName).toFloats();
                fcWeight = weight;
            }
            HostTensor f = o.get(featuresName);
            long[] fs = f.shape();
            if (fs.length != 4 || fs[2] != fs[3]) {
                throw new IllegalStateException("AnchorNet features must be [N, C, G, G], got " + Arrays.toString(fs));
            }
            int grid = (int) fs[2];
            if (settings.stride() * (grid - 1) + settings.patchSize() > Math.min(height, width)) {
                throw new IllegalStateException("a " + grid + "x" + grid + " map with stride " + settings.stride()
                        + " and " + settings.patchSize() + "-pixel patches reaches past the " + height + "x" + width
                        + " input");
            }
            float[] logits = o.get(anchorLogitsName).toFloats();
            int classes = logits.length / rows.length;
            int[] cls = new int[rows.length];
            for (int k = 0; k < rows.length; k++) {
                cls[k] = argmax(logits, k * classes, classes);
            }
            float[] features = scratch.floats("features", (int) f.numel());
            f.data().asFloatBuffer().get(features);
            return new Anchors(features, weight, cls, (int) fs[1], grid);
        }
    }

    private void crop(float[] x, int offset, PatchSelection.Box b, float[] dst, int dstOffset) {
        int p = settings.patchSize();
        for (int c = 0; c < 3; c++) {
            for (int r = 0; r < p; r++) {
                System.arraycopy(x, offset + (c * height + b.row0() + r) * width + b.col0(), dst,
                        dstOffset + (c * p + r) * p, p);
            }
        }
    }

    private float[] runDownstream(Session s, String slot, float[] batch, int n, int size, long[] sessionNanos) {
        long t = System.nanoTime();
        try (Outputs o = s.run(Map.of(s.inputs().get(0).name(), scratch.tensor(slot, new long[] {n, 3, size, size},
                batch)), List.of(s.outputs().get(0).name()))) {
            float[] logits = o.get(s.outputs().get(0).name()).toFloats();
            sessionNanos[0] += System.nanoTime() - t;
            return logits;
        }
    }

    static int argmax(float[] v, int offset, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) {
            if (v[offset + c] > v[offset + best]) {
                best = c;
            }
        }
        return best;
    }

    /** max softmax = 1 / sum exp(l - max), in double, rounded once to float. */
    static float maxSoftmax(float[] v, int offset, int n) {
        float m = v[offset];
        for (int c = 1; c < n; c++) {
            m = Math.max(m, v[offset + c]);
        }
        double sum = 0;
        for (int c = 0; c < n; c++) {
            sum += Math.exp((double) v[offset + c] - m);
        }
        return (float) (1 / sum);
    }

    /**
     * Every stage for every image, no exits: what {@code make_table.py} records. Returns the resized inputs, CAMs,
     * boxes and the cumulative logits of each stage, for tables and for checking against a reference.
     */
    public synchronized Trace trace(HostTensor images) {
        checkOpen();
        HostTensor in = input(Map.of(INPUT, images));
        int n = (int) in.shape()[0];
        float[] x = in.toFloats();
        int stages = settings.stages();
        int imageSize = 3 * height * width;
        int rs = 3 * resizedSize * resizedSize;
        float[] small = new float[n * rs];
        for (int i = 0; i < n; i++) {
            BicubicResize.alignCorners(x, i * imageSize, 3, height, width, small, i * rs, resizedSize, resizedSize);
        }
        long[] ignored = {0};
        float[] first = runDownstream(resized, "resized", small, n, resizedSize, ignored);
        int classes = first.length / n;
        float[] cum = new float[n * stages * classes];
        for (int i = 0; i < n; i++) {
            System.arraycopy(first, i * classes, cum, i * stages * classes, classes);
        }
        int grid = 0;
        float[] cams = null;
        int[][] boxes = new int[n][];
        if (stages > 1) {
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = i;
            }
            Anchors a = anchors(x, rows, ignored);
            grid = a.grid;
            cams = new float[n * grid * grid];
            for (int i = 0; i < n; i++) {
                float[] cam = PatchSelection.cam(a.features, i * a.channels * grid * grid, a.channels, grid * grid,
                        a.weight, a.cls[i] * a.channels);
                System.arraycopy(cam, 0, cams, i * grid * grid, grid * grid);
                List<PatchSelection.Box> b = select(a, i);
                boxes[i] = new int[4 * b.size()];
                for (int k = 0; k < b.size(); k++) {
                    PatchSelection.Box box = b.get(k);
                    boxes[i][4 * k] = box.row0();
                    boxes[i][4 * k + 1] = box.col0();
                    boxes[i][4 * k + 2] = box.row1();
                    boxes[i][4 * k + 3] = box.col1();
                }
            }
            int p = settings.patchSize();
            int patchLen = 3 * p * p;
            for (int j = 1; j < stages; j++) {
                float[] batch = new float[n * patchLen];
                for (int i = 0; i < n; i++) {
                    PatchSelection.Box b = new PatchSelection.Box(boxes[i][4 * (j - 1)], boxes[i][4 * (j - 1) + 1],
                            boxes[i][4 * (j - 1) + 2], boxes[i][4 * (j - 1) + 3]);
                    crop(x, i * imageSize, b, batch, i * patchLen);
                }
                float[] logits = runDownstream(patch, "patch", batch, n, p, ignored);
                for (int i = 0; i < n; i++) {
                    int prev = (i * stages + j - 1) * classes;
                    int here = (i * stages + j) * classes;
                    for (int c = 0; c < classes; c++) {
                        cum[here + c] = cum[prev + c] + logits[i * classes + c];
                    }
                }
            }
        }
        return new Trace(n, stages, classes, grid, small, cams, boxes, cum);
    }

    /** Per image: resized input [n,3,s,s], CAM [n,G,G], boxes (row0, col0, row1, col1 per patch), cumulative logits. */
    public record Trace(int images, int stages, int classes, int grid, float[] resizedInput, float[] cam, int[][] boxes,
            float[] cumulativeLogits) {
        public float confidence(int image, int stage) {
            return maxSoftmax(cumulativeLogits, (image * stages + stage) * classes, classes);
        }

        public int prediction(int image, int stage) {
            return argmax(cumulativeLogits, (image * stages + stage) * classes, classes);
        }

        /** The make_table.py table of these images against {@code labels}. */
        public ExitTable table(long[] labels) {
            if (labels.length != images) {
                throw new IllegalArgumentException(labels.length + " labels for " + images + " images");
            }
            float[] conf = new float[images * stages];
            boolean[] right = new boolean[images * stages];
            for (int i = 0; i < images; i++) {
                for (int j = 0; j < stages; j++) {
                    conf[i * stages + j] = confidence(i, j);
                    right[i * stages + j] = prediction(i, j) == labels[i];
                }
            }
            return new ExitTable(images, stages, conf, right);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("cascade session is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsSessions) {
            resized.close();
            anchornet.close();
            patch.close();
        }
    }

    /**
     * Buffers reused from call to call (calls are serialised), one per slot, reallocated when the size changes. At
     * batch 1 a fresh 100-600 KB direct buffer or array per stage and image cost page faults on every call: the
     * scheduler's own time was about 5 ms per image before.
     */
    private static final class Scratch {
        private final Map<String, float[]> arrays = new java.util.HashMap<>();
        private final Map<String, HostTensor> tensors = new java.util.HashMap<>();

        /** An array of exactly {@code n} floats with stale contents: the caller overwrites all of it. */
        float[] floats(String slot, int n) {
            float[] a = arrays.get(slot);
            if (a == null || a.length != n) {
                a = new float[n];
                arrays.put(slot, a);
            }
            return a;
        }

        /** A float32 tensor of {@code shape} holding the first numel values of {@code values}. */
        HostTensor tensor(String slot, long[] shape, float[] values) {
            HostTensor t = tensors.get(slot);
            if (t == null || !Arrays.equals(t.shape(), shape)) {
                t = HostTensor.allocate(DataType.FLOAT, shape);
                tensors.put(slot, t);
            }
            t.data().asFloatBuffer().put(values, 0, (int) t.numel());
            return t;
        }
    }
}

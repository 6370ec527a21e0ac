package dev.lathe.cli.isp;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Objective;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.isp.IspFlops;
import dev.lathe.models.isp.IspGraphs;
import dev.lathe.models.isp.IspSearch;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.plan.KeepMasks;
import dev.lathe.pruning.plan.PruningPlan;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.ort.OrtProviders;
import dev.lathe.runtime.ort.train.Trainer;
import dev.lathe.runtime.train.Evaluation;
import dev.lathe.runtime.train.LrSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * ISP's stages on a CIFAR ResNet classifier (keys {@code conv1, bn1, layer{1,2,3}.i.*, fc}), each reading the
 * previous stage's files from the run folder and writing its own into a sub-folder:
 * {@code predictor/predictor.onnx} (A), {@code selector/selector.onnx} (B), {@code search/gates.json} (C, with the
 * stored unpruned selector parameters computed first), {@code prune/plan.json + pruned.onnx + metrics.json}, and the
 * fine-tuned {@code final.onnx}. Random draws (RBF centres, masks, Gumbel noise) are fed per step from a generator
 * keyed by (seed, stream, global step), so a resumed stage draws what the uninterrupted one drew.
 */
public final class IspPipeline {
    public static final String PREDICTOR_DIR = "predictor";
    public static final String SELECTOR_DIR = "selector";
    public static final String SEARCH_DIR = "search";
    public static final String PRUNE_DIR = "prune";
    public static final String FINETUNE_DIR = "finetune";
    public static final String PREDICTOR_FILE = "predictor.onnx";
    public static final String SELECTOR_FILE = "selector.onnx";
    public static final String GATES_FILE = "gates.json";
    public static final String PLAN_FILE = "plan.json";
    public static final String PRUNED_FILE = "pruned.onnx";
    public static final String FINAL_FILE = "final.onnx";
    public static final String METRICS_FILE = "metrics.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How a stage trains: epochs, batch, learning rate, seed, ORT threads, resume, progress lines. */
    public record Run(int epochs, int batch, double lr, long seed, int threads, boolean resume, PrintStream log) {}

    /**
     * Stage C's settings: kept-MAC target p, MSE and FLOPs weights, optional CE weight, how the budget is met, the
     * share of the training set searched on, the gate generator.
     */
    public record SearchSettings(double target, double mseWeight, double regWeight, double ceWeight,
            boolean exactBudget, double fraction, IspSearch.GateGenerator generator, boolean selectBest) {}

    private IspPipeline() {}

    /** The classifier's shape: blocks per stage (from its keys), classes (fc rows), input size. */
    public static IspGraphs.Spec spec(Model classifier, double temperature, boolean hard) {
        Map<String, Value> inits = classifier.graph().initializers();
        Value in = classifier.graph().inputs().get(0);
        if (in.shape() == null || in.shape().rank() != 4 || !in.shape().get(2).isFixed()
                || in.shape().get(2).size() != in.shape().get(3).size()) {
            throw new IllegalArgumentException("the classifier's input must be [N, 3, S, S], it is " + in.type());
        }
        long size = in.shape().get(2).size();
        if (inits.containsKey("layers.16.conv1.weight") && inits.containsKey("linear.weight")) {
            long classes = inits.get("linear.weight").constValue().dims()[0];
            return new IspGraphs.Spec(0, classes, (int) size, temperature, hard, IspGraphs.Arch.MOBILENET_V2);
        }
        int blocks = 0;
        while (inits.containsKey("layer1." + blocks + ".conv1.weight")) {
            blocks++;
        }
        Value fc = inits.get("fc.weight");
        if (blocks == 0 || fc == null || !inits.containsKey("layer3." + (blocks - 1) + ".conv2.weight")) {
            throw new IllegalArgumentException("not an ISP CIFAR classifier: expected the ResNet keys conv1.weight, "
                    + "layer{1,2,3}.<i>.conv1.weight ... fc.weight or the MobileNetV2 keys layers.<i>.conv1.weight ... "
                    + "linear.weight (lathe zoo build cifar_resnet56 / cifar_mobilenet_v2 make them)");
        }
        long classes = fc.constValue().dims()[0];
        return new IspGraphs.Spec(blocks, classes, (int) size, temperature, hard);
    }

    // ---------------------------------------------------------------- Stage A

    /** Stage A: trains the predictor (started from the classifier) on randomly masked inputs against the black box. */
    public static Path predictor(Model classifier, Dataset train, Dataset val, Path runDir, Run r) throws Exception {
        IspGraphs.Spec s = spec(classifier, 0.1, false);
        Path dir = Files.createDirectories(runDir.resolve(PREDICTOR_DIR));
        Model forward = IspGraphs.predictor(s, r.seed());
        copyWeights(classifier, forward, IspGraphs.BB + ".", true);
        copyWeights(classifier, forward, IspGraphs.PREDICTOR + ".", true); // start_predictor_from_pretrained
        TrainConfig cfg = TrainConfig.of(IspGraphs.predictorObjective(), new Optimizer.Adam(0.9, 0.999, 1e-8, 1e-4),
                r.batch()).withFrozen(IspGraphs.FROZEN_A).withNoDecay(TrainConfig.NoDecay.NONE);
        TrainStep step = withEval(TrainStepBuilder.build(forward, cfg), classifierUnder(s, IspGraphs.PREDICTOR));
        Map<String, Trainer.ExtraInput> extras = new LinkedHashMap<>();
        extras.put(IspGraphs.U_CENTRES, uniform(r.seed(), 1));
        extras.put(IspGraphs.U_MASK, uniform(r.seed(), 2));
        Map<String, Tensor> w = train(step, extras, train, val, dir, r, LrSchedule.constant(r.lr()));
        Model out = classifier.copy();
        for (Value init : out.graph().initializers().values()) {
            Tensor t = w.get(IspGraphs.PREDICTOR + "." + init.name());
            if (t != null) {
                init.setConstValue(t);
            }
        }
        Path file = dir.resolve(PREDICTOR_FILE);
        Onnx.save(out, file);
        return file;
    }

    // ---------------------------------------------------------------- Stage B

    /** Stage B: trains the selector (frozen encoder = the classifier) with Eq. 9 against the frozen predictor. */
    public static Path selector(Model classifier, Model predictor, Dataset train, Dataset val, Path runDir, Run r,
            double temperature, double lambda1, double areaPower, double lambda2) throws Exception {
        IspGraphs.Spec s = spec(classifier, temperature, false);
        Path dir = Files.createDirectories(runDir.resolve(SELECTOR_DIR));
        Model forward = IspGraphs.selector(s, true, r.seed());
        copyWeights(classifier, forward, IspGraphs.BB + ".", true);
        copyWeights(classifier, forward, IspGraphs.SELECTOR + "." + IspGraphs.ENCODER + ".", false);
        copyWeights(predictor, forward, IspGraphs.PREDICTOR + ".", true);
        TrainConfig cfg = TrainConfig.of(IspGraphs.selectorObjective(lambda1, areaPower, lambda2),
                new Optimizer.Adam(0.9, 0.999, 1e-8, 1e-4), r.batch()).withFrozen(IspGraphs.FROZEN_B)
                .withNoDecay(TrainConfig.NoDecay.NONE);
        Model agreement = IspGraphs.selectorAgreement(s, r.seed());
        copyAll(forward, agreement);
        TrainStep built = TrainStepBuilder.build(forward, cfg);
        TrainStep step = withEval(built, agreement);
        Map<String, Trainer.ExtraInput> extras = Map.of(IspGraphs.U_MASK, uniform(r.seed(), 3));
        Map<String, Tensor> w = train(step, extras, train, val, dir, r, LrSchedule.constant(r.lr()));
        Model out = IspGraphs.selector(s, false, r.seed());
        copyAll(forward, out);
        for (Value init : out.graph().initializers().values()) {
            Tensor t = w.get(init.name());
            if (t != null) {
                init.setConstValue(t);
            }
        }
        Path file = dir.resolve(SELECTOR_FILE);
        Onnx.save(out, file);
        return file;
    }

    // ---------------------------------------------------------------- Stage C

    /**
     * Stage C: stores the unpruned selector's raw parameters for a fraction of the training set, then trains the gate
     * generator; writes gates.json (the generator, its logits, the decision, its kept-MAC ratio). The gates are the
     * last epoch's, or with {@code selectBest} those of the epoch in the second half whose cut scores the best top-1
     * on {@code val} (the authors keep the best validation epoch after epoch 100 of 200).
     */
    public static Path search(Model classifier, Model selector, Dataset train, Dataset val, Path runDir, Run r,
            SearchSettings c)
            throws Exception {
        IspGraphs.Spec s = spec(classifier, 1.0, false);
        Path dir = Files.createDirectories(runDir.resolve(SEARCH_DIR));
        int n = Math.max(r.batch(), (int) Math.round(train.size() * c.fraction()));
        n = Math.min(n, train.size()) / r.batch() * r.batch();
        if (n == 0) {
            throw new IllegalArgumentException("the training set has " + train.size() + " images, fewer than one "
                    + "search batch of " + r.batch());
        }
        int[] split = shuffled(train.size(), new SplittableRandom(r.seed() ^ 0x5EA5C4L));
        int[] subset = Arrays.copyOf(split, n);
        float[] targets = storedParams(selector, train, subset, r.batch());

        Model forward = IspSearch.search(s, IspSearch.GateMode.RELAXED, c.generator(), r.seed());
        copyWeights(classifier, forward, "", true);
        for (Value init : forward.graph().initializers().values()) {
            if (init.name().startsWith(IspGraphs.SELECTOR + ".") && isParameter(init.name())) {
                Value from = selector.graph().initializer(init.name());
                if (from == null) {
                    throw new IllegalArgumentException("selector model has no " + init.name());
                }
                init.setConstValue(from.constValue());
            }
        }
        double totalMacs = ModelCounter.count(classifier).macs();
        IspFlops flops = IspFlops.macs(s, totalMacs);
        Objective obj = IspSearch.objective(flops, c.target(), c.mseWeight(), c.regWeight(), c.ceWeight());
        TrainConfig cfg = TrainConfig.of(obj, new Optimizer.AdamW(0.9, 0.999, 1e-8, 1e-3), r.batch())
                .withFrozen(IspSearch.FROZEN_C).withNoDecay(TrainConfig.NoDecay.NONE);
        TrainStep step = TrainStepBuilder.build(forward, cfg);
        int[] current = new int[r.batch()];
        Map<String, Trainer.ExtraInput> extras = new LinkedHashMap<>();
        extras.put(IspSearch.U_GATES, uniform(r.seed(), 4));
        extras.put(IspSearch.TARGET_PARAMS, (stepIndex, into) -> {
            FloatBuffer f = into.order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < current.length; i++) {
                f.put(targets, 3 * current[i], 3);
            }
        });
        Dataset part = subsetOf(train, subset);
        IspSearch.Layout layout = IspSearch.Layout.of(s);
        // the authors keep the best validation epoch of the second half (resnet_igp.py's valid: epoch > 100 of 200)
        int firstCandidate = c.selectBest() ? Math.min(r.epochs() / 2 + 1, r.epochs() - 1) : r.epochs() - 1;
        Selection chosen = null;
        try (Trainer t = new Trainer(step, new Trainer.Options(r.epochs(), LrSchedule.constant(r.lr()), r.seed(),
                r.threads(), dir, false, null, -1, 1), null, extras)) {
            int steps = n / r.batch();
            List<String> lines = new ArrayList<>();
            for (int epoch = 0; epoch < r.epochs(); epoch++) {
                int[] order = shuffled(n, new SplittableRandom(r.seed() * 31 + epoch));
                double sum = 0;
                for (int k = 0; k < steps; k++) {
                    for (int i = 0; i < r.batch(); i++) {
                        current[i] = order[k * r.batch() + i];
                    }
                    t.loadBatch(part, order, k * r.batch());
                    sum += t.step(r.lr())[0];
                }
                String line = "{\"epoch\": " + (epoch + 1) + ", \"loss\": " + sum / steps;
                String report = String.format(Locale.ROOT, "isp search: epoch %d/%d loss %.5f", epoch + 1, r.epochs(),
                        sum / steps);
                if (epoch >= firstCandidate) {
                    float[][] lg = logits(forward, t.weights(), layout, c.generator(), r.seed());
                    boolean[][] kp = c.exactBudget() ? budget(lg, flops, c.target()) : atLeastOne(decision(lg), lg);
                    double top1 = c.selectBest() ? cutTop1(classifier, layout, kp, val, r) : Double.NaN;
                    if (c.selectBest()) {
                        line += ", \"cut_val_top1\": " + top1;
                        report += String.format(Locale.ROOT, ", the cut's val top-1 %.4f", top1);
                    }
                    if (chosen == null || top1 > chosen.top1()) { // the first best, as the authors' acc > best_acc
                        chosen = new Selection(epoch, lg, kp, top1);
                    }
                }
                lines.add(line + "}");
                if (r.log() != null) {
                    r.log().println(report);
                }
            }
            AtomicFiles.write(dir.resolve("metrics.jsonl"), tmp -> Files.writeString(tmp, String.join("\n", lines)
                    + "\n"));
        }
        float[][] logits = chosen.logits();
        boolean[][] keep = chosen.keep();
        boolean[][] searched = decision(logits);
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "lathe-isp-gates/1");
        root.put("generator", c.generator().word());
        root.put("target", c.target());
        root.put("ratio_as_searched", flops.ratio(atLeastOne(searched, logits)));
        root.put("ratio", flops.ratio(keep));
        root.put("budget", c.exactBudget() ? "exact" : "as-searched");
        root.put("select", c.selectBest() ? "best" : "last");
        root.put("epoch", chosen.epoch() + 1);
        if (c.selectBest()) {
            root.put("cut_val_top1", chosen.top1());
        }
        ArrayNode layers = root.putArray("layers");
        for (int l = 0; l < layout.layers(); l++) {
            ObjectNode o = layers.addObject();
            o.put("conv", layout.convs().get(l));
            ArrayNode lg = o.putArray("logits");
            ArrayNode kp = o.putArray("keep");
            for (int i = 0; i < logits[l].length; i++) {
                lg.add(logits[l][i]);
                kp.add(keep[l][i] ? 1 : 0);
            }
        }
        Path file = dir.resolve(GATES_FILE);
        String text = JSON.writeValueAsString(root);
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, text));
        return file;
    }

    /** A candidate epoch's gates: its logits, the keep mask cut from them, and the cut's validation top-1. */
    private record Selection(int epoch, float[][] logits, boolean[][] keep, double top1) {}

    /** The validation top-1 of the classifier cut to {@code keep} (the hard-gated classifier, without fine-tuning). */
    private static double cutTop1(Model classifier, IspSearch.Layout layout, boolean[][] keep, Dataset val, Run r) {
        Pruned p = cut(classifier, layout.convs(), keep, "candidate");
        try (Session session = Runtimes.get(OrtProviders.CPU).open(new ModelSource.InMemory(p.model()),
                SessionConfig.defaults().withThreads(r.threads(), 0))) {
            return Evaluation.run(session, val, r.batch()).top1();
        }
    }

    /**
     * The trained generator's logits theta per gated layer: its graph alone, with the trained parameters (and the
     * search graph's frozen ones: HyperStructure's fixed inputs), run once.
     */
    static float[][] logits(Model search, Map<String, Tensor> trained, IspSearch.Layout layout,
            IspSearch.GateGenerator generator, long seed) throws OrtException {
        Model gen = IspSearch.generator(layout, generator, seed);
        for (Value init : gen.graph().initializers().values()) {
            if (init.name().startsWith(IspSearch.HYPER_NET + ".")) {
                Tensor t = trained.containsKey(init.name()) ? trained.get(init.name())
                        : search.graph().initializer(init.name()).constValue();
                init.setConstValue(t);
            }
        }
        float[] theta;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(Onnx.toBytes(gen), so);
             OrtSession.Result res = session.run(Map.of())) {
            FloatBuffer f = ((OnnxTensor) res.get(0)).getFloatBuffer();
            theta = new float[f.remaining()];
            f.get(theta);
        }
        float[][] out = new float[layout.layers()][];
        int from = 0;
        for (int l = 0; l < out.length; l++) {
            out[l] = Arrays.copyOfRange(theta, from, from + (int) layout.widths()[l]);
            from += out[l].length;
        }
        return out;
    }

    /**
     * Whether a gates.json was searched with {@code c}'s generator and epoch selection (files written before those
     * choices existed: simple, last).
     */
    public static boolean searchedWith(Path gatesFile, SearchSettings c) throws IOException {
        var root = JSON.readTree(gatesFile.toFile());
        return root.path("generator").asText(IspSearch.GateGenerator.SIMPLE.word()).equals(c.generator().word())
                && root.path("select").asText("last").equals(c.selectBest() ? "best" : "last");
    }

    /** The noise-free decision theta + 3 >= 0 per channel. */
    static boolean[][] decision(float[][] logits) {
        boolean[][] keep = new boolean[logits.length][];
        for (int l = 0; l < logits.length; l++) {
            keep[l] = new boolean[logits[l].length];
            for (int i = 0; i < logits[l].length; i++) {
                keep[l][i] = logits[l][i] + IspSearch.OFFSET >= 0;
            }
        }
        return keep;
    }

    /** A layer the decision empties keeps its highest-logit channel (a conv of zero channels cannot be cut to). */
    static boolean[][] atLeastOne(boolean[][] keep, float[][] logits) {
        boolean[][] out = new boolean[keep.length][];
        for (int l = 0; l < keep.length; l++) {
            out[l] = keep[l].clone();
            boolean any = false;
            for (boolean k : out[l]) {
                any |= k;
            }
            if (!any) {
                out[l][argMax(logits[l])] = true;
            }
        }
        return out;
    }

    /**
     * The budget met exactly: each layer's highest-logit channel, then channels in decreasing logit order over all
     * layers while the kept-MAC ratio stays at or under the target (a channel that does not fit is skipped, a cheaper
     * one later may). The search's logits rank the channels; the threshold is moved to the budget.
     */
    static boolean[][] budget(float[][] logits, IspFlops flops, double target) {
        boolean[][] keep = new boolean[logits.length][];
        List<int[]> order = new ArrayList<>();
        for (int l = 0; l < logits.length; l++) {
            keep[l] = new boolean[logits[l].length];
            keep[l][argMax(logits[l])] = true;
            for (int i = 0; i < logits[l].length; i++) {
                order.add(new int[] {l, i});
            }
        }
        order.sort((a, b) -> Float.compare(logits[b[0]][b[1]], logits[a[0]][a[1]]));
        double ratio = flops.ratio(keep);
        for (int[] c : order) {
            if (keep[c[0]][c[1]]) {
                continue;
            }
            double cost = flops.perChannel()[c[0]] / flops.full();
            if (ratio + cost <= target) {
                keep[c[0]][c[1]] = true;
                ratio += cost;
            }
        }
        return keep;
    }

    private static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The unpruned selector's raw RBF parameters [n, 3] of images {@code subset} (generate_valset_gau.py). */
    static float[] storedParams(Model selector, Dataset data, int[] subset, int batch) throws OrtException {
        float[] out = new float[subset.length * 3];
        long[] shape = data.imageShape();
        int per = (int) (shape[0] * shape[1] * shape[2]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(Onnx.toBytes(selector), so)) {
            for (int from = 0; from < subset.length; from += batch) {
                int m = Math.min(batch, subset.length - from);
                FloatBuffer x = ByteBuffer.allocateDirect(4 * m * per).order(ByteOrder.nativeOrder()).asFloatBuffer();
                LongBuffer y = ByteBuffer.allocateDirect(8 * m).order(ByteOrder.nativeOrder()).asLongBuffer();
                for (int i = 0; i < m; i++) {
                    data.fill(subset[from + i], x);
                    y.put(i, data.label(subset[from + i]));
                }
                x.rewind();
                try (OnnxTensor xt = OnnxTensor.createTensor(env, x, new long[] {m, shape[0], shape[1], shape[2]});
                     OnnxTensor yt = OnnxTensor.createTensor(env, y, new long[] {m});
                     OrtSession.Result res = session.run(Map.of(ModelInputs.INPUT, xt, TrainStep.LABELS, yt),
                             Set.of(IspGraphs.SALIENCY_PARAMS))) {
                    FloatBuffer p = ((OnnxTensor) res.get(0)).getFloatBuffer();
                    p.get(out, 3 * from, 3 * m);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- prune and fine-tune

    /** What pruning did. */
    public record Pruned(Model model, PruningPlan plan, long macsBefore, long macsAfter) {
        public double keptRatio() {
            return macsAfter / (double) macsBefore;
        }
    }

    /** Cuts the classifier's gated channels whose keep entry is false (the existing surgery, from a keep-mask plan). */
    public static Pruned cut(Model classifier, List<String> convs, boolean[][] keep, String options) {
        Map<String, boolean[]> masks = new LinkedHashMap<>();
        for (int l = 0; l < convs.size(); l++) {
            masks.put(convs.get(l), keep[l]);
        }
        PruningPlan plan = KeepMasks.plan(classifier, masks, "isp", options);
        Model copy = classifier.copy();
        Pruner.Result res = Pruner.replay(copy, plan, Set.of());
        return new Pruned(copy, plan, res.before().macs(), res.after().macs());
    }

    /** Reads gates.json, cuts, writes plan.json, pruned.onnx and metrics.json into prune/. */
    public static Pruned prune(Model classifier, Path gatesFile, Path runDir) throws IOException {
        var root = JSON.readTree(gatesFile.toFile());
        if (!"lathe-isp-gates/1".equals(root.path("format").asText())) {
            throw new IOException(gatesFile + ": not an ISP gates file (format lathe-isp-gates/1)");
        }
        List<String> convs = new ArrayList<>();
        List<boolean[]> keep = new ArrayList<>();
        for (var layer : root.path("layers")) {
            convs.add(layer.path("conv").asText());
            var k = layer.path("keep");
            boolean[] m = new boolean[k.size()];
            for (int i = 0; i < m.length; i++) {
                m[i] = k.get(i).asInt() != 0;
            }
            keep.add(m);
        }
        Pruned p = cut(classifier, convs, keep.toArray(new boolean[0][]), "target=" + root.path("target").asText());
        Path dir = Files.createDirectories(runDir.resolve(PRUNE_DIR));
        p.plan().save(dir.resolve(PLAN_FILE));
        Onnx.save(p.model(), dir.resolve(PRUNED_FILE));
        ObjectNode m = JSON.createObjectNode();
        m.put("macs_before", p.macsBefore());
        m.put("macs_after", p.macsAfter());
        m.put("kept_macs_ratio", p.keptRatio());
        m.put("target", root.path("target").asDouble());
        m.put("removed_channels", p.plan().removedChannels());
        String text = JSON.writeValueAsString(m);
        AtomicFiles.write(dir.resolve(METRICS_FILE), tmp -> Files.writeString(tmp, text));
        return p;
    }

    /**
     * Fine-tunes the cut model as the repository's train_model.py: SGD momentum 0.9 (plain), weight decay 1e-4,
     * cross-entropy, multistep x0.1 at 50 % and 75 % of the epochs.
     */
    public static Path finetune(Model pruned, Dataset train, Dataset val, Path runDir, Run r) throws Exception {
        Path file = runDir.resolve(FINAL_FILE);
        trainCrossEntropy(pruned, train, val, Files.createDirectories(runDir.resolve(FINETUNE_DIR)), file, r);
        return file;
    }

    /** Trains a zoo classifier before the pipeline (the black box must be a trained model), as fine-tuning does. */
    public static Path trainClassifier(Model classifier, Dataset train, Dataset val, Path file, Run r)
            throws Exception {
        trainCrossEntropy(classifier, train, val, file.getParent(), file, r);
        return file;
    }

    private static void trainCrossEntropy(Model model, Dataset train, Dataset val, Path dir, Path file, Run r)
            throws Exception {
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0), new Optimizer.Sgd(0.9, false, 1e-4),
                Math.min(r.batch(), train.size()));
        TrainStep step = TrainStepBuilder.build(model, cfg);
        LrSchedule sched = LrSchedule.multiStep(r.lr(), new int[] {r.epochs() / 2, r.epochs() * 3 / 4}, 0.1, 0, false);
        try (Trainer t = new Trainer(step, new Trainer.Options(r.epochs(), sched, r.seed(), r.threads(), dir,
                r.resume() && Files.exists(dir.resolve(Trainer.CHECKPOINT)), r.log(), -1, 1))) {
            t.fit(train, val);
            t.exportInference(model, file);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, Tensor> train(TrainStep step, Map<String, Trainer.ExtraInput> extras, Dataset train,
            Dataset val, Path dir, Run r, LrSchedule sched) throws Exception {
        boolean resume = r.resume() && Files.exists(dir.resolve(Trainer.CHECKPOINT));
        try (Trainer t = new Trainer(step, new Trainer.Options(r.epochs(), sched, r.seed(), r.threads(), dir, resume,
                r.log(), -1, 1), null, extras)) {
            t.fit(train, val);
            return t.weights();
        }
    }

    /**
     * Uniform draws in (0, 1) for an extra input, a pure function of (seed, stream, global step): a resumed run feeds
     * what the uninterrupted one fed.
     */
    static Trainer.ExtraInput uniform(long seed, int stream) {
        return (globalStep, into) -> {
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L
                    + globalStep);
            FloatBuffer f = into.order(ByteOrder.nativeOrder()).asFloatBuffer();
            while (f.hasRemaining()) {
                f.put((float) ((rng.nextInt(1 << 24) + 0.5) / (1 << 24)));
            }
        };
    }

    /** Copies {@code from}'s initializers into {@code to}'s of name prefix + key; strict: every key must land. */
    static void copyWeights(Model from, Model to, String prefix, boolean withHead) {
        Map<String, Value> target = to.graph().initializers();
        List<String> missing = new ArrayList<>();
        for (Value init : from.graph().initializers().values()) {
            Tensor t = init.constValue();
            if (t.dtype() != DataType.FLOAT || t.rank() == 0) {
                continue;
            }
            if (!withHead && (init.name().startsWith("fc.") || init.name().startsWith("linear."))) {
                continue;
            }
            Value dst = target.get(prefix + init.name());
            if (dst == null) {
                if (init.name().contains(".weight") || init.name().contains(".bias") || init.name().contains("running")) {
                    missing.add(init.name());
                }
                continue;
            }
            if (!Arrays.equals(dst.constValue().dims(), t.dims())) {
                throw new IllegalArgumentException("key " + init.name() + " has shape " + Arrays.toString(t.dims())
                        + ", the ISP graph expects " + Arrays.toString(dst.constValue().dims()) + " at " + prefix
                        + init.name());
            }
            dst.setConstValue(t);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the ISP graph has no place for " + missing.size() + " classifier "
                    + "keys under '" + prefix + "', e.g. " + missing.get(0));
        }
    }

    /** A state_dict key (not one of the builder's constants: axes, shapes). */
    static boolean isParameter(String name) {
        return name.endsWith(".weight") || name.endsWith(".bias") || name.endsWith(".running_mean")
                || name.endsWith(".running_var");
    }

    /** Copies every initializer of {@code from} that {@code to} has by name. */
    static void copyAll(Model from, Model to) {
        for (Value init : to.graph().initializers().values()) {
            Value src = from.graph().initializer(init.name());
            if (src != null) {
                init.setConstValue(src.constValue());
            }
        }
    }

    /** A classifier under {@code prefix} (input, logits), for a step's evaluation. */
    static Model classifierUnder(IspGraphs.Spec s, String prefix) {
        GraphBuilder b = new GraphBuilder("isp_eval", ModelInputs.OPSET);
        Value x = b.input(ModelInputs.INPUT, DataType.FLOAT, ModelInputs.BATCH, 3L, (long) s.size(), (long) s.size());
        b.output(IspGraphs.classifier(new Nn(b, 0), prefix, x, s), ModelInputs.OUTPUT);
        return b.build();
    }

    /**
     * The step with another evaluation graph (the step's own holds every network and its draws): {@code eval}'s
     * initializers named as the step's parameters and buffers become inputs, the rest stay constants.
     */
    static TrainStep withEval(TrainStep step, Model eval) {
        Model e = eval.copy();
        Graph g = e.graph();
        for (String name : new ArrayList<>(g.initializers().keySet())) {
            if (step.params().containsKey(name) || step.buffers().containsKey(name)) {
                Value init = g.initializer(name);
                Value in = new Value(name, init.type());
                init.replaceAllUsesWith(in, true);
                g.removeInitializer(name);
                g.addInput(in);
            }
        }
        return new TrainStep(step.train(), e, step.input(), step.logits(), step.batch(), step.params(),
                step.buffers(), step.state(), step.frozen(), step.accumulation());
    }

    static int[] shuffled(int n, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** The images {@code indices} of {@code base}, in that order. */
    static Dataset subsetOf(Dataset base, int[] indices) {
        return new Dataset() {
            @Override
            public int size() {
                return indices.length;
            }

            @Override
            public int numClasses() {
                return base.numClasses();
            }

            @Override
            public long[] imageShape() {
                return base.imageShape();
            }

            @Override
            public int label(int index) {
                return base.label(indices[index]);
            }

            @Override
            public void fill(int index, FloatBuffer dst) {
                base.fill(indices[index], dst);
            }
        };
    }
}

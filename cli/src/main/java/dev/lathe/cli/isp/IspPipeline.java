package dev.lathe.cli.isp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.isp.IspGraphs;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.plan.KeepMasks;
import dev.lathe.pruning.plan.PruningPlan;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.ort.train.Trainer;
import dev.lathe.runtime.train.LrSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * ISP's stages on a CIFAR ResNet classifier (keys {@code conv1, bn1, layer{1,2,3}.i.*, fc}), each reading the
 * previous stage's files from the run folder and writing its own into a sub-folder:
 * {@code predictor/predictor.onnx} (A), {@code selector/selector.onnx} (B), {@code search/gates.json} (C,
 * {@link IspGateSearch}), {@code prune/plan.json + pruned.onnx + metrics.json}, and the
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

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How a stage trains: epochs, batch, learning rate, seed, ORT threads, resume, progress lines. */
    public record Run(int epochs, int batch, double lr, long seed, int threads, boolean resume, PrintStream log) {}

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

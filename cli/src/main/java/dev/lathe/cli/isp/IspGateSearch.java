package dev.lathe.cli.isp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.train.Objective;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.models.ModelInputs;
import dev.lathe.models.isp.IspFlops;
import dev.lathe.models.isp.IspGraphs;
import dev.lathe.models.isp.IspSearch;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.ort.OrtProviders;
import dev.lathe.runtime.ort.train.Trainer;
import dev.lathe.runtime.train.Evaluation;
import dev.lathe.runtime.train.LrSchedule;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ISP's Stage C (SEEDS section 2.3, resnet_igp.py): the unpruned selector's raw RBF parameters stored for a share of
 * the training set (generate_valset_gau.py), the gate generator trained against them through the gated classifier
 * under a kept-MAC budget, the epoch whose gates are cut chosen, and {@code search/gates.json} written: the generator,
 * its logits, the keep mask and its kept-MAC ratio.
 */
public final class IspGateSearch {
    /**
     * The search's settings: kept-MAC target p, MSE and FLOPs weights, optional CE weight, how the budget is met, the
     * share of the training set searched on, the gate generator.
     */
    public record Settings(double target, double mseWeight, double regWeight, double ceWeight,
            boolean exactBudget, double fraction, IspSearch.GateGenerator generator, boolean selectBest) {}

    private IspGateSearch() {}

    /**
     * Stage C: stores the unpruned selector's raw parameters for a fraction of the training set, then trains the gate
     * generator; writes gates.json (the generator, its logits, the decision, its kept-MAC ratio). The gates are the
     * last epoch's, or with {@code selectBest} those of the epoch in the second half whose cut scores the best top-1
     * on {@code val} (the authors keep the best validation epoch after epoch 100 of 200).
     */
    public static Path search(Model classifier, Model selector, Dataset train, Dataset val, Path runDir,
            IspPipeline.Run r, Settings c)
            throws Exception {
        IspGraphs.Spec s = IspPipeline.spec(classifier, 1.0, false);
        Path dir = Files.createDirectories(runDir.resolve(IspPipeline.SEARCH_DIR));
        int n = Math.max(r.batch(), (int) Math.round(train.size() * c.fraction()));
        n = Math.min(n, train.size()) / r.batch() * r.batch();
        if (n == 0) {
            throw new IllegalArgumentException("the training set has " + train.size() + " images, fewer than one "
                    + "search batch of " + r.batch());
        }
        int[] split = IspPipeline.shuffled(train.size(), new SplittableRandom(r.seed() ^ 0x5EA5C4L));
        int[] subset = Arrays.copyOf(split, n);
        float[] targets = storedParams(selector, train, subset, r);

        Model forward = IspSearch.search(s, IspSearch.GateMode.RELAXED, c.generator(), r.seed());
        IspPipeline.copyWeights(classifier, forward, "", true);
        for (Value init : forward.graph().initializers().values()) {
            if (init.name().startsWith(IspGraphs.SELECTOR + ".") && IspPipeline.isParameter(init.name())) {
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
        extras.put(IspSearch.U_GATES, IspPipeline.uniform(r.seed(), 4));
        extras.put(IspSearch.TARGET_PARAMS, (stepIndex, into) -> {
            FloatBuffer f = into.order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < current.length; i++) {
                f.put(targets, 3 * current[i], 3);
            }
        });
        Dataset part = IspPipeline.subsetOf(train, subset);
        IspSearch.Layout layout = IspSearch.Layout.of(s);
        // the authors keep the best validation epoch of the second half (resnet_igp.py's valid: epoch > 100 of 200)
        int firstCandidate = c.selectBest() ? Math.min(r.epochs() / 2 + 1, r.epochs() - 1) : r.epochs() - 1;
        Selection chosen = null;
        try (Trainer t = new Trainer(step, new Trainer.Options(r.epochs(), LrSchedule.constant(r.lr()), r.seed(),
                r.threads(), dir, false, null, -1, 1), null, extras)) {
            int steps = n / r.batch();
            List<String> lines = new ArrayList<>();
            for (int epoch = 0; epoch < r.epochs(); epoch++) {
                int[] order = IspPipeline.shuffled(n, new SplittableRandom(r.seed() * 31 + epoch));
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
                    float[][] lg = logits(forward, t.weights(k -> k.startsWith(IspSearch.HYPER_NET + ".")), layout,
                            c.generator(), r.seed());
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
        ObjectNode root = IspPipeline.JSON.createObjectNode();
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
        Path file = dir.resolve(IspPipeline.GATES_FILE);
        String text = IspPipeline.JSON.writeValueAsString(root);
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, text));
        return file;
    }

    /** A candidate epoch's gates: its logits, the keep mask cut from them, and the cut's validation top-1. */
    private record Selection(int epoch, float[][] logits, boolean[][] keep, double top1) {}

    /** The validation top-1 of the classifier cut to {@code keep} (the hard-gated classifier, without fine-tuning). */
    private static double cutTop1(Model classifier, IspSearch.Layout layout, boolean[][] keep, Dataset val,
            IspPipeline.Run r) {
        IspPipeline.Pruned p = IspPipeline.cut(classifier, layout.convs(), keep, "candidate");
        try (Session session = open(p.model(), r.threads())) {
            return Evaluation.run(session, val, r.batch()).top1();
        }
    }

    /**
     * The trained generator's logits theta per gated layer: its graph alone, with the trained parameters (and the
     * search graph's frozen ones: HyperStructure's fixed inputs), run once.
     */
    static float[][] logits(Model search, Map<String, Tensor> trained, IspSearch.Layout layout,
            IspSearch.GateGenerator generator, long seed) {
        Model gen = IspSearch.generator(layout, generator, seed);
        for (Value init : gen.graph().initializers().values()) {
            if (init.name().startsWith(IspSearch.HYPER_NET + ".")) {
                Tensor t = trained.containsKey(init.name()) ? trained.get(init.name())
                        : search.graph().initializer(init.name()).constValue();
                init.setConstValue(t);
            }
        }
        float[] theta;
        try (Session session = open(gen, 1); Outputs out = session.run(Map.of())) {
            theta = out.get(session.outputs().get(0).name()).toFloats();
        }
        float[][] out = new float[layout.layers()][];
        int from = 0;
        for (int l = 0; l < out.length; l++) {
            out[l] = Arrays.copyOfRange(theta, from, from + (int) layout.widths()[l]);
            from += out[l].length;
        }
        return out;
    }

    /** An ORT CPU session of an in-memory model. */
    private static Session open(Model model, int threads) {
        return Runtimes.get(OrtProviders.CPU).open(new ModelSource.InMemory(model),
                SessionConfig.defaults().withThreads(threads, 0));
    }

    /**
     * Whether a gates.json was searched with {@code c}'s generator and epoch selection (files written before those
     * choices existed: simple, last).
     */
    public static boolean searchedWith(Path gatesFile, Settings c) throws IOException {
        var root = IspPipeline.JSON.readTree(gatesFile.toFile());
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
    static float[] storedParams(Model selector, Dataset data, int[] subset, IspPipeline.Run r) {
        float[] out = new float[subset.length * 3];
        long[] shape = data.imageShape();
        try (Session session = open(selector, r.threads())) {
            for (int from = 0; from < subset.length; from += r.batch()) {
                int m = Math.min(r.batch(), subset.length - from);
                HostTensor x = HostTensor.allocate(DataType.FLOAT, m, shape[0], shape[1], shape[2]);
                FloatBuffer xf = x.data().asFloatBuffer();
                long[] y = new long[m];
                for (int i = 0; i < m; i++) {
                    data.fill(subset[from + i], xf);
                    y[i] = data.label(subset[from + i]);
                }
                try (Outputs res = session.run(Map.of(ModelInputs.INPUT, x, TrainStep.LABELS,
                        HostTensor.ofLongs(new long[] {m}, y)), List.of(IspGraphs.SALIENCY_PARAMS))) {
                    float[] p = res.get(IspGraphs.SALIENCY_PARAMS).toFloats();
                    System.arraycopy(p, 0, out, 3 * from, 3 * m);
                }
            }
        }
        return out;
    }
}

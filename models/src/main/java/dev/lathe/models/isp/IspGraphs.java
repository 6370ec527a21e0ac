package dev.lathe.models.isp;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Nn;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.train.LossTerm;
import dev.lathe.graph.train.Objective;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.models.ModelInputs;
import java.util.function.Predicate;

/**
 * The forward graphs of ISP's stages A and B, each one graph holding every network the stage's loss reads, so the
 * frozen black box runs inside the train step (not as a second pass): parameters are named as the authors'
 * {@code TrainPredictor} / {@code TrainSelector} state_dicts ({@code bb_model.model.*}, {@code predictor.model.*},
 * {@code selector.*}); the frozen ones are picked by {@link #FROZEN_A} / {@link #FROZEN_B}. Random draws are graph
 * inputs ({@link #U_CENTRES}, {@link #U_MASK}) fed per step, so a test feeds PyTorch's and a trainer its own
 * seeded ones.
 */
public final class IspGraphs {
    public static final String BB_LOGITS = "bb_logits";
    /** Uniform draws [N, 3] of Stage A's random RBF centres and widths. */
    public static final String U_CENTRES = "u_centres";
    /** Uniform draws [N, 1, H, W] of the relaxed Bernoulli mask. */
    public static final String U_MASK = "u_mask";
    /** The sampled mask (relaxed, or straight-through hard) [N, 1, H, W]. */
    public static final String MASK = "mask";
    /** The relaxed sample the smoothness term reads (the same value as MASK unless hard). */
    public static final String MASK_RELAXED = "mask_relaxed";
    /** The RBF map [N, 1, H, W]. */
    public static final String MAP = "map";
    /** The selector's raw RBF parameters [N, 3] (the authors' second return value, {@code saliency_params}). */
    public static final String SALIENCY_PARAMS = "saliency_params";

    public static final String BB = "bb_model.model";
    public static final String PREDICTOR = "predictor.model";
    public static final String SELECTOR = "selector";
    public static final String ENCODER = "resnet";

    public static final Predicate<String> FROZEN_A = n -> n.startsWith(BB + ".");
    public static final Predicate<String> FROZEN_B = n -> n.startsWith(BB + ".") || n.startsWith(PREDICTOR + ".")
            || n.startsWith(SELECTOR + "." + ENCODER + ".");

    /**
     * The networks' shape: ResNet-(6 blocks + 2), classes, square input size, mask temperature (Stage A 0.1; the
     * selector's {@code --temperature}, CIFAR 1.0 by default) and whether the mask is the straight-through hard one.
     */
    public record Spec(int blocks, long classes, int size, double temperature, boolean hard, Arch arch) {
        /** A CIFAR ResNet-(6 blocks + 2). */
        public Spec(int blocks, long classes, int size, double temperature, boolean hard) {
            this(blocks, classes, size, temperature, hard, Arch.RESNET);
        }

        public IspRbf.Geometry geometry() {
            return size == 32 ? IspRbf.Geometry.CIFAR : IspRbf.Geometry.scaledCifar(size);
        }
    }

    /** The classifier families ISP's CIFAR branch prunes. */
    public enum Arch { RESNET, MOBILENET_V2 }

    private IspGraphs() {}

    /** The classifier of {@code s} with gates: its scales and (classes > 0) logits. */
    public static IspNets.ResNetTaps network(Nn nn, Value x, Spec s, long classes, IspNets.Gates gates) {
        return s.arch() == Arch.RESNET ? IspNets.resNet(nn, x, s.blocks(), classes, gates)
                : IspNets.mobileNetV2(nn, x, classes, gates);
    }

    /**
     * Stage A: bb(x) (output {@link #BB_LOGITS}) and the predictor on x times a mask sampled from a random RBF map
     * (output {@code logits}).
     */
    public static Model predictor(Spec s, long seed) {
        GraphBuilder b = new GraphBuilder("isp_predictor", ModelInputs.OPSET);
        Nn nn = new Nn(b, seed);
        Ops o = b.ops();
        Value x = b.input(ModelInputs.INPUT, DataType.FLOAT, ModelInputs.BATCH, 3L, (long) s.size(), (long) s.size());
        Value uc = b.input(U_CENTRES, DataType.FLOAT, ModelInputs.BATCH, 3L);
        Value um = b.input(U_MASK, DataType.FLOAT, ModelInputs.BATCH, 1L, (long) s.size(), (long) s.size());
        Value bb = classifier(nn, BB, x, s);
        Value map = IspRbf.map(o, IspRbf.randomCentres(o, uc, s.geometry()), s.geometry());
        Value mask = IspRbf.sample(o, map, um, s.temperature(), s.hard());
        Value f = classifier(nn, PREDICTOR, o.mul(x, mask), s);
        b.output(f, ModelInputs.OUTPUT);
        b.output(bb, BB_LOGITS);
        b.output(mask, MASK);
        return b.build();
    }

    /**
     * Stage B: bb(x), the selector's RBF map for (x, labels) and the frozen predictor on x times the mask (output
     * {@code logits}); {@code sampled} false uses the map itself as the mask (the authors' evaluation) and takes no
     * draws.
     */
    public static Model selector(Spec s, boolean sampled, long seed) {
        return selector(s, sampled, false, seed);
    }

    /**
     * The selector's evaluation graph without a labels input (the trainer's evaluation feeds images only): the label
     * is the black box's arg-max, and the first output is the predictor on x times the map. The trainer scores it
     * against the dataset's labels; the authors' "acc" scores it against the black box's arg-max, which is the same
     * where the black box is right.
     */
    public static Model selectorAgreement(Spec s, long seed) {
        return selector(s, false, true, seed);
    }

    private static Model selector(Spec s, boolean sampled, boolean labelsFromBlackBox, long seed) {
        GraphBuilder b = new GraphBuilder("isp_selector", ModelInputs.OPSET);
        Nn nn = new Nn(b, seed);
        Ops o = b.ops();
        Value x = b.input(ModelInputs.INPUT, DataType.FLOAT, ModelInputs.BATCH, 3L, (long) s.size(), (long) s.size());
        Value labels = labelsFromBlackBox ? null : b.input(TrainStep.LABELS, DataType.INT64, ModelInputs.BATCH);
        Value um = sampled
                ? b.input(U_MASK, DataType.FLOAT, ModelInputs.BATCH, 1L, (long) s.size(), (long) s.size()) : null;
        Value bb = classifier(nn, BB, x, s);
        if (labelsFromBlackBox) {
            labels = o.op("ArgMax", attrs("axis", Attr.of(1L), "keepdims", Attr.of(0L)), bb);
        }
        Value raw = selectorParams(nn, x, labels, s, IspNets.Gates.NONE);
        Value map = IspRbf.map(o, IspRbf.centres(o, raw, s.geometry()), s.geometry());
        Value relaxed = sampled ? IspRbf.sample(o, map, um, s.temperature(), false) : map;
        Value mask = sampled && s.hard() ? IspRbf.sample(o, map, um, s.temperature(), true) : relaxed;
        Value f = classifier(nn, PREDICTOR, o.mul(x, mask), s);
        b.output(f, ModelInputs.OUTPUT);
        b.output(bb, BB_LOGITS);
        b.output(mask, MASK);
        if (mask != relaxed) {
            b.output(relaxed, MASK_RELAXED);
        }
        b.output(map, MAP);
        b.output(o.reshape(raw, -1, 3), SALIENCY_PARAMS);
        return b.build();
    }

    /** The selector (scope {@code selector}: encoder {@code selector.resnet} with the given gates, decoder). */
    static Value selectorParams(Nn nn, Value x, Value labels, Spec s, IspNets.Gates gates) {
        GraphBuilder b = nn.builder();
        try (var sel = b.scope(SELECTOR)) {
            IspNets.ResNetTaps enc;
            try (var r = b.scope(ENCODER)) {
                enc = network(nn, x, s, 0, gates);
            }
            return IspNets.selector(nn, enc, labels, s.classes(), IspNets.CIFAR_INITIAL_SIGMA);
        }
    }

    /** A classifier under {@code prefix} (e.g. {@link #PREDICTOR}), its keys the classifier's after the prefix. */
    public static Value classifier(Nn nn, String prefix, Value x, Spec s) {
        GraphBuilder b = nn.builder();
        String[] parts = prefix.split("\\.");
        try (var p0 = b.scope(parts[0]); var p1 = b.scope(parts[1])) {
            return network(nn, x, s, s.classes(), IspNets.Gates.NONE).logits();
        }
    }

    /** KL(softmax(bb(x)) || softmax(logits)), batch mean: PyTorch's kl_div(log_softmax(f), softmax(bb), batchmean). */
    public static LossTerm blackBoxKl() {
        return ctx -> {
            Ops e = ctx.ops();
            Value logP = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), ctx.value(BB_LOGITS));
            Value logQ = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), ctx.logits());
            Value kl = e.reduceSum(e.mul(e.exp(logP), e.sub(logP, logQ)), false);
            return e.mul(kl, e.scalar(DataType.FLOAT, 1.0 / ctx.batch()));
        };
    }

    /** Stage A's objective. */
    public static Objective predictorObjective() {
        return Objective.of("kl", blackBoxKl());
    }

    /** Eq. 9's area term: mean over batch and pixels of (mask + 0.0005)^power. */
    public static LossTerm area(double power) {
        return ctx -> {
            Ops e = ctx.ops();
            Value m = ctx.value(MASK);
            long[] d = Ops.staticShape(m);
            Value p = e.pow(e.add(m, e.scalar(DataType.FLOAT, 0.0005)), e.scalar(DataType.FLOAT, power));
            return e.mul(e.reduceSum(p, false), e.scalar(DataType.FLOAT, 1.0 / (d[0] * d[1] * d[2] * d[3])));
        };
    }

    /**
     * Eq. 9's smoothness term over the relaxed mask m: (sum of squared row and column differences + 0.3 x the sum of
     * the squares of the first and last rows and columns, corners twice) / (2 B).
     */
    public static LossTerm smoothness() {
        return ctx -> {
            Ops e = ctx.ops();
            Value m;
            try {
                m = ctx.value(MASK_RELAXED);
            } catch (IllegalArgumentException notHard) {
                m = ctx.value(MASK);
            }
            long[] d = Ops.staticShape(m);
            long h = d[2];
            long w = d[3];
            Value dx = e.sub(slice(e, m, 2, 1, h), slice(e, m, 2, 0, h - 1));
            Value dy = e.sub(slice(e, m, 3, 1, w), slice(e, m, 3, 0, w - 1));
            Value sq = e.mul(m, m);
            Value border = e.add(e.add(e.reduceSum(slice(e, sq, 2, h - 1, h), false), e.reduceSum(slice(e, sq, 2, 0, 1),
                    false)), e.add(e.reduceSum(slice(e, sq, 3, w - 1, w), false), e.reduceSum(slice(e, sq, 3, 0, 1),
                    false)));
            Value total = e.add(e.add(e.reduceSum(e.mul(dx, dx), false), e.reduceSum(e.mul(dy, dy), false)),
                    e.mul(border, e.scalar(DataType.FLOAT, 0.3)));
            return e.mul(total, e.scalar(DataType.FLOAT, 1.0 / (2.0 * ctx.batch())));
        };
    }

    private static Value slice(Ops e, Value x, long axis, long from, long to) {
        return e.slice(x, new long[] {from}, new long[] {to}, new long[] {axis}, new long[] {1});
    }

    /**
     * Stage B's objective (Eq. 9): KL + lambda1 area(power) + lambda2 smoothness. CIFAR defaults: 0.2, 0.3, 1e-3.
     */
    public static Objective selectorObjective(double lambda1, double areaPower, double lambda2) {
        return Objective.of("kl", blackBoxKl()).plus("area", lambda1, area(areaPower)).plus("smooth", lambda2,
                smoothness());
    }
}

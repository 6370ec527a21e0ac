package dev.lathe.graph.train;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;

/**
 * The built-in loss terms. Classification terms read the forward graph's logits [N, C] and the integer labels; every
 * per-sample loss is a batch mean. Terms over arbitrary named values (MSE, L1, L2) are element means, so their weight
 * does not depend on the tensor size.
 */
public final class LossTerms {
    private LossTerms() {}

    /** Cross-entropy with label smoothing eps: targets (1 - eps) one-hot + eps / C (PyTorch's label_smoothing). */
    public static LossTerm crossEntropy(double labelSmoothing) {
        return ctx -> crossEntropy(ctx.ops(), ctx.logits(), ctx.labels(), ctx.classes(), labelSmoothing, ctx.batch());
    }

    /** Logit-adjusted cross-entropy: CE on {@code logitScale * logits + tau * log(prior)} (see {@link Loss}). */
    public static LossTerm logitAdjusted(double[] classPrior, double tau, double labelSmoothing, double logitScale) {
        return ctx -> {
            Ops e = ctx.ops();
            long classes = ctx.classes();
            if (classPrior.length != classes) {
                throw new IllegalArgumentException("class prior has " + classPrior.length + " entries, the model has "
                        + classes + " classes");
            }
            double[] shift = new double[(int) classes];
            for (int i = 0; i < shift.length; i++) {
                shift[i] = tau * Math.log(Math.max(classPrior[i], 1e-12));
            }
            Value logits = ctx.logits();
            Value scaled = logitScale == 1 ? logits : e.mul(logits, e.scalar(DataType.FLOAT, logitScale));
            Value adjusted = e.add(scaled, e.constant(Tensor.fromDoubles(DataType.FLOAT, new long[] {classes}, shift)));
            return crossEntropy(e, adjusted, ctx.labels(), classes, labelSmoothing, ctx.batch());
        };
    }

    /**
     * Hinton's soft distillation term T^2 KL(softmax(teacher / T) || softmax(student / T)), batch mean, against the
     * extra input {@link TrainStep#TEACHER_LOGITS}.
     */
    public static LossTerm distillation(double temperature) {
        return ctx -> {
            Ops e = ctx.ops();
            Value teacher = ctx.input(TrainStep.TEACHER_LOGITS, DataType.FLOAT, ctx.batch(), ctx.classes());
            Value invT = e.scalar(DataType.FLOAT, 1.0 / temperature);
            Value logPs = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), e.mul(ctx.logits(), invT));
            Value logPt = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), e.mul(teacher, invT));
            Value kl = e.reduceSum(e.mul(e.op("Exp", logPt), e.sub(logPt, logPs)), false);
            return e.mul(kl, e.scalar(DataType.FLOAT, temperature * temperature / ctx.batch()));
        };
    }

    /** KL(target || softmax(logits)) against a target distribution (extra input {@link TrainStep#TARGET_PROBS}). */
    public static LossTerm klDivergence() {
        return ctx -> {
            Ops e = ctx.ops();
            Value target = ctx.input(TrainStep.TARGET_PROBS, DataType.FLOAT, ctx.batch(), ctx.classes());
            Value logP = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), ctx.logits());
            // target * log(target) is constant in the logits; Max keeps log finite where target is 0 (0 * finite = 0).
            Value logT = e.op("Log", e.op("Max", target, e.scalar(DataType.FLOAT, 1e-30)));
            Value kl = e.reduceSum(e.mul(target, e.sub(logT, logP)), false);
            return e.mul(kl, e.scalar(DataType.FLOAT, 1.0 / ctx.batch()));
        };
    }

    /**
     * Mean squared error between the named value and {@code target}: another value of the forward graph of that name,
     * else an extra input of that name shaped like the value.
     */
    public static LossTerm mse(String value, String target) {
        return ctx -> {
            Ops e = ctx.ops();
            Value v = ctx.value(value);
            Value t = resolveOrInput(ctx, target, v);
            Value d = e.sub(v, t);
            return mean(e, e.mul(d, d), v);
        };
    }

    /** Mean absolute value of the named value (an L1 penalty, e.g. ISP's mask area). */
    public static LossTerm l1(String value) {
        return ctx -> {
            Value v = ctx.value(value);
            return mean(ctx.ops(), ctx.ops().abs(v), v);
        };
    }

    /** Mean square of the named value (an L2 penalty). */
    public static LossTerm l2(String value) {
        return ctx -> {
            Value v = ctx.value(value);
            return mean(ctx.ops(), ctx.ops().mul(v, v), v);
        };
    }

    private static Value resolveOrInput(ObjectiveContext ctx, String name, Value like) {
        try {
            return ctx.value(name);
        } catch (IllegalArgumentException notInGraph) {
            return ctx.input(name, like.dtype(), Ops.staticShape(like));
        }
    }

    /** Mean over every element of {@code x}, which is shaped like {@code like}. */
    private static Value mean(Ops e, Value x, Value like) {
        long[] dims = Ops.staticShape(like);
        return e.mul(e.reduceSum(x, false), e.scalar(DataType.FLOAT, 1.0 / Tensor.numel(dims)));
    }

    /** -mean_n sum_c q_nc log softmax(z)_nc with q = (1 - eps) onehot(y) + eps / C. */
    static Value crossEntropy(Ops e, Value logits, Value labels, long classes, double eps, int batch) {
        Value logP = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), logits);
        Value oneHot = oneHot(e, labels, classes);
        Value q = eps == 0 ? oneHot : e.add(e.mul(oneHot, e.scalar(DataType.FLOAT, 1 - eps)),
                e.scalar(DataType.FLOAT, eps / classes));
        return e.mul(e.reduceSum(e.mul(q, logP), false), e.scalar(DataType.FLOAT, -1.0 / batch));
    }

    static Value oneHot(Ops e, Value labels, long classes) {
        long[] range = new long[(int) classes];
        for (int i = 0; i < range.length; i++) {
            range[i] = i;
        }
        Value classIds = e.constant(Tensor.ofLongs(new long[] {1, classes}, range));
        return e.cast(e.op("Equal", e.unsqueeze(labels, 1), classIds), DataType.FLOAT);
    }

    /** Number of samples whose arg-max logit is the label (a FLOAT scalar, summable across steps). */
    static Value correct(Ops e, Value logits, Value labels) {
        Value pred = e.op("ArgMax", attrs("axis", Attr.of(1L), "keepdims", Attr.of(0L)), logits);
        return e.reduceSum(e.cast(e.op("Equal", pred, labels), DataType.FLOAT), false);
    }
}

package dev.lathe.graph.train;

import static dev.lathe.graph.build.Ops.attrs;

import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.Attr;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;

/** Emits the loss and metric nodes of a train step; every loss is a batch mean of per-sample terms. */
final class Losses {
    private Losses() {}

    static Value emit(Graph g, Ops e, Loss loss, Value logits, Value labels, int batch) {
        long classes = Ops.staticShape(logits)[1];
        if (loss instanceof Loss.CrossEntropy ce) {
            return crossEntropy(e, logits, labels, classes, ce.labelSmoothing(), batch);
        }
        if (loss instanceof Loss.LogitAdjusted la) {
            if (la.classPrior().length != classes) {
                throw new IllegalArgumentException("class prior has " + la.classPrior().length + " entries, the model has "
                        + classes + " classes");
            }
            double[] shift = new double[(int) classes];
            for (int i = 0; i < shift.length; i++) {
                shift[i] = la.tau() * Math.log(Math.max(la.classPrior()[i], 1e-12));
            }
            Value scaled = la.logitScale() == 1 ? logits : e.mul(logits, e.scalar(DataType.FLOAT, la.logitScale()));
            Value adjusted = e.add(scaled, e.constant(Tensor.fromDoubles(DataType.FLOAT, new long[] {classes}, shift)));
            return crossEntropy(e, adjusted, labels, classes, la.labelSmoothing(), batch);
        }
        if (loss instanceof Loss.Distillation kd) {
            Value teacher = g.addInput(new Value(TrainStep.TEACHER_LOGITS, TensorType.of(DataType.FLOAT, batch, classes)));
            Value invT = e.scalar(DataType.FLOAT, 1.0 / kd.temperature());
            Value logPs = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), e.mul(logits, invT));
            Value logPt = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), e.mul(teacher, invT));
            Value kl = e.reduceSum(e.mul(e.op("Exp", logPt), e.sub(logPt, logPs)), false);
            double t2 = kd.temperature() * kd.temperature();
            Value soft = e.mul(kl, e.scalar(DataType.FLOAT, kd.alpha() * t2 / batch));
            Value hard = crossEntropy(e, logits, labels, classes, kd.labelSmoothing(), batch);
            return e.add(e.mul(hard, e.scalar(DataType.FLOAT, 1 - kd.alpha())), soft);
        }
        if (loss instanceof Loss.KlDivergence) {
            Value target = g.addInput(new Value(TrainStep.TARGET_PROBS, TensorType.of(DataType.FLOAT, batch, classes)));
            Value logP = e.op("LogSoftmax", attrs("axis", Attr.of(1L)), logits);
            // target * log(target) is constant in the logits; Max keeps log finite where target is 0 (0 * finite = 0).
            Value logT = e.op("Log", e.op("Max", target, e.scalar(DataType.FLOAT, 1e-30)));
            Value kl = e.reduceSum(e.mul(target, e.sub(logT, logP)), false);
            return e.mul(kl, e.scalar(DataType.FLOAT, 1.0 / batch));
        }
        throw new IllegalArgumentException("unknown loss " + loss);
    }

    /** -mean_n sum_c q_nc log softmax(z)_nc with q = (1 - eps) onehot(y) + eps / C. */
    private static Value crossEntropy(Ops e, Value logits, Value labels, long classes, double eps, int batch) {
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

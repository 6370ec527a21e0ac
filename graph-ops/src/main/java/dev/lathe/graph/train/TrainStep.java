package dev.lathe.graph.train;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A built train step. {@code train} maps (input, labels, lr, params, buffers, state) to (loss, correct,
 * next params, next buffers, next state), the "next" outputs named {@link #next}(name). {@code eval} maps (input,
 * params, buffers) to the logits with BatchNorm in inference form. The maps hold the initial values in graph-input
 * order: trainable parameters, BN running statistics (buffers) and optimizer state (zeros, plus AdamW's step;
 * gradient accumulators; EMA copies). {@code accumulation} is the number of micro-batches per update: when > 1 the
 * caller feeds {@link #APPLY_UPDATE} = 1 on every accumulation-th run and 0 otherwise.
 */
public record TrainStep(Model train, Model eval, String input, String logits, int batch,
        Map<String, Tensor> params, Map<String, Tensor> buffers, Map<String, Tensor> state, Map<String, Tensor> frozen,
        int accumulation) {

    public static final String LABELS = "labels";
    public static final String LR = "lr";
    public static final String LOSS = "loss";
    public static final String CORRECT = "correct";
    public static final String TEACHER_LOGITS = "teacher_logits";
    public static final String TARGET_PROBS = "target_probs";
    public static final String STEP = "step";
    /** INT64 scalar input of a step whose objective draws random numbers: fed per step, so resume is exact. */
    public static final String SEED = "seed";
    /** FLOAT scalar input of an accumulating step: 1 applies the update, 0 only accumulates the gradient. */
    public static final String APPLY_UPDATE = "apply_update";
    /** Suffix of a parameter's gradient accumulator in the state. */
    public static final String GRAD_ACCUM = ".grad_accum";
    /** Suffix of a parameter's or buffer's moving average in the state. */
    public static final String EMA = ".ema";

    /**
     * The values a step reads and writes back ({@code next(name)}) each run: parameters, buffers and optimizer
     * state, in that order. A new map each call.
     */
    public Map<String, Tensor> carried() {
        Map<String, Tensor> all = new LinkedHashMap<>(params);
        all.putAll(buffers);
        all.putAll(state);
        return all;
    }

    /** Name of the output carrying the updated value of the input {@code name}. */
    public static String next(String name) {
        return name + ".next";
    }
}

package dev.lathe.cli;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.ort.train.Trainer;
import dev.lathe.runtime.train.EpochMetrics;
import dev.lathe.runtime.train.LrSchedule;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's training, also {@code lathe prune}'s fine-tune between steps: SGD (Nesterov momentum 0.9, weight decay
 * 5e-4) on the logit-adjusted loss with the training set's class prior, which is plain cross-entropy on balanced
 * data, cosine schedule after {@code warmup} linear warm-up epochs.
 */
record TrainRecipe(int epochs, double warmup, int batch, double lr, int threads) {

    /** The trained eval-mode model and the last epoch's metrics. */
    record Outcome(Model model, EpochMetrics last) {}

    /**
     * Trains a model of {@code forward} (checkpoints and metrics in {@code dir}) and exports the eval-mode model to
     * {@code exportTo}.
     */
    Outcome run(Model forward, Dataset train, Dataset val, Path dir, Path exportTo, PrintStream log)
            throws Exception {
        Loss loss = new Loss.LogitAdjusted(Loss.LogitAdjusted.priorOf(train.classCounts()), 1.0, 0);
        TrainConfig cfg = TrainConfig.of(loss, new Optimizer.Sgd(0.9, true, 5e-4), batch);
        TrainStep step = TrainStepBuilder.build(forward, cfg);
        try (Trainer t = new Trainer(step, new Trainer.Options(epochs, LrSchedule.cosine(lr, warmup, epochs), 0, threads,
                dir, false, log, -1))) {
            List<EpochMetrics> history = t.fit(train, val);
            Model trained = forward.copy();
            t.exportInference(trained, exportTo); // sets the trained weights into the model it writes
            return new Outcome(trained, history.get(history.size() - 1));
        }
    }
}

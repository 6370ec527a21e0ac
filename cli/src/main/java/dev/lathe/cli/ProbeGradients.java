package dev.lathe.cli;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.train.Loss;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.graph.train.TrainConfig;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.graph.train.TrainStepBuilder;
import dev.lathe.pruning.importance.GradientSet;
import dev.lathe.pruning.importance.GradientSource;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.train.GradientProbe;
import java.util.List;
import java.util.function.Consumer;

/**
 * Loss gradients of every parameter at the model's current weights, from synthetic data through the runtime's
 * gradient probe on the chosen runtime and device ({@code --runtime}, {@code --device}): single-class batches for CIC
 * (SEEDS §5.1), shuffled mixed batches for Taylor.
 */
record ProbeGradients(TrainFlags.SyntheticSpec data, int batch, InferenceRuntime runtime,
        SessionConfig.Device device) implements GradientSource {
    private static final int THREADS = 2;

    @Override
    public void forEachBatch(Model model, boolean classWise, Consumer<GradientSet.Batch> sink) throws Exception {
        TrainConfig cfg = TrainConfig.of(new Loss.CrossEntropy(0), new Optimizer.Sgd(0, false, 0), batch)
                .withGradientOutputs();
        SyntheticDataset images = data.train();
        if (images.size() < batch) {
            throw new UserError("--grad-batch " + batch + " is larger than the " + images.size() + " images of --data");
        }
        List<int[]> batches = classWise ? GradientProbe.singleClassBatches(images, batch, data.seed())
                : GradientProbe.shuffledBatches(images, batch, data.seed());
        TrainStep step = TrainStepBuilder.build(model, cfg);
        try (GradientProbe probe = new GradientProbe(runtime, step,
                SessionConfig.defaults().withDevice(device).withThreads(THREADS, 0))) {
            for (int[] b : batches) {
                sink.accept(new GradientSet.Batch(classWise ? images.label(b[0]) : -1, probe.gradients(images, b)));
            }
        }
    }
}

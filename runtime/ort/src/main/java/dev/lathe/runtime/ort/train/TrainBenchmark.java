package dev.lathe.runtime.ort.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.train.TrainStep;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.train.LrSchedule;
import java.nio.FloatBuffer;
import java.util.Random;

/**
 * Images per second of full training steps (batch fill, forward, loss, backward, update), measured after warm-up
 * steps, and the fraction of step time spent outside {@code OrtSession.run} (batch filling, Java bookkeeping).
 * The synthetic images are rendered once before timing and each step copies the ready batch into the trainer's
 * input buffer, as a prefetching loader hands over decoded batches (and as the PyTorch peer reuses one batch
 * tensor): rendering 16 images at 224x224 in the timed loop was ~5% of a step and measured the data generator,
 * not the trainer.
 */
public final class TrainBenchmark {
    /** The measured numbers; {@code stepSeconds} is the mean wall time of one step. */
    public record Result(String model, int batch, int resolution, int threads, int steps, double imagesPerSecond,
            double stepSeconds, double outsideRuntimeFraction) {

        public String toJson() {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("model", model);
            n.put("batch", batch);
            n.put("resolution", resolution);
            n.put("threads", threads);
            n.put("steps", steps);
            n.put("images_per_second", imagesPerSecond);
            n.put("step_seconds", stepSeconds);
            n.put("outside_runtime_fraction", outsideRuntimeFraction);
            return n.toPrettyString();
        }

        public String summary() {
            return String.format("%s  batch %d  %dx%d  %d threads: %.2f images/s (%.3f s/step over %d steps), "
                    + "%.1f%% of step time outside ONNX Runtime", model, batch, resolution, resolution, threads,
                    imagesPerSecond, stepSeconds, steps, 100 * outsideRuntimeFraction);
        }
    }

    private TrainBenchmark() {}

    public static Result run(String name, TrainStep step, int classes, int resolution, int threads, int warmup,
            int steps, SessionConfig.Device device) throws Exception {
        Dataset data = new Prerendered(new SyntheticDataset(classes, 3, resolution,
                Math.max(1, 2 * step.batch() / classes + 1), 1, 1, 0));
        int[] order = Trainer.shuffle(data.size(), new Random(1));
        try (Trainer t = new Trainer(step, new Trainer.Options(1, LrSchedule.constant(0.01), 1, threads, null, false,
                null, -1).on(device))) {
            for (int i = 0; i < warmup; i++) {
                t.loadBatch(data, order, 0);
                t.step(0.01);
            }
            t.resetRunTime();
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                t.loadBatch(data, order, 0);
                t.step(0.01);
            }
            double total = (System.nanoTime() - start) / 1e9;
            return new Result(name, step.batch(), resolution, threads, steps, steps * step.batch() / total,
                    total / steps, 1 - t.runSeconds() / total);
        }
    }

    /** A dataset whose images are rendered on first use and then copied from memory. */
    private static final class Prerendered implements Dataset {
        private final Dataset source;
        private final float[][] images;

        Prerendered(Dataset source) {
            this.source = source;
            this.images = new float[source.size()][];
        }

        @Override
        public int size() {
            return source.size();
        }

        @Override
        public int numClasses() {
            return source.numClasses();
        }

        @Override
        public long[] imageShape() {
            return source.imageShape();
        }

        @Override
        public int label(int index) {
            return source.label(index);
        }

        @Override
        public synchronized void fill(int index, FloatBuffer dst) {
            if (images[index] == null) {
                FloatBuffer b = FloatBuffer.allocate((int) Tensor.numel(source.imageShape()));
                source.fill(index, b);
                images[index] = b.array();
            }
            dst.put(images[index]);
        }
    }
}

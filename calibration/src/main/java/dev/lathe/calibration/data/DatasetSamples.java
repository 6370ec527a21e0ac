package dev.lathe.calibration.data;

import dev.lathe.graph.ir.DataType;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.data.BatchLoader;
import dev.lathe.runtime.data.Dataset;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Calibration batches drawn from a {@link Dataset} (synthetic, CIFAR, image folders: images already preprocessed by
 * the dataset's pipeline; labels are ignored): the first {@code samples} images of a seeded shuffle, so a subset of
 * a large set is a fair sample and the same seed gives the same images.
 */
public final class DatasetSamples implements CalibrationData {
    private final Dataset data;
    private final int samples;
    private final int batch;
    private final long seed;

    /** {@code samples} beyond the dataset's size take every image once. */
    public DatasetSamples(Dataset data, int samples, int batch, long seed) {
        if (samples < 1 || batch < 1) {
            throw new IllegalArgumentException("calibration needs samples and batch >= 1, got " + samples + ", "
                    + batch);
        }
        this.data = data;
        this.samples = Math.min(samples, data.size());
        this.batch = batch;
        this.seed = seed;
    }

    @Override
    public long forEachBatch(Consumer<HostTensor> sink) { // reading the dataset throws no IOException
        return forEachLabelled((images, labels) -> sink.accept(images));
    }

    @Override
    public long forEachLabelled(BiConsumer<HostTensor, long[]> sink) {
        long[] image = data.imageShape();
        int perImage = Math.toIntExact(image[0] * image[1] * image[2]);
        int left = samples;
        try (BatchLoader loader = new BatchLoader(data, Math.min(batch, samples), 1, 2, seed, true, false)) {
            Iterator<BatchLoader.Batch> it = loader.epoch(0);
            while (left > 0 && it.hasNext()) {
                BatchLoader.Batch b = it.next();
                int n = Math.min(b.size(), left);
                HostTensor t = HostTensor.allocate(DataType.FLOAT, n, image[0], image[1], image[2]);
                FloatBuffer src = b.images().duplicate();
                src.limit(n * perImage);
                t.data().asFloatBuffer().put(src);
                long[] labels = new long[n];
                b.labels().duplicate().get(labels);
                sink.accept(t, labels);
                left -= n;
            }
        }
        return samples - left;
    }

    /** The dataset's class count (its labels index that many classes). */
    public int classes() {
        return data.numClasses();
    }

    @Override
    public String describe() {
        return samples + " of " + data.size() + " images";
    }
}

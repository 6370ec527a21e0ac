package dev.lathe.calibration.data;

import dev.lathe.runtime.HostTensor;
import java.io.IOException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Unlabelled batches for calibration: float32 tensors whose first dimension is the sample, at most {@code batch}
 * samples each and {@code samples} in all. Batches are produced one at a time; a batch is valid only during the
 * call that receives it, so a source never holds more than one batch.
 */
public interface CalibrationData {
    /** Hands every batch to {@code sink} in order; returns the samples handed over. */
    default long forEachBatch(Consumer<HostTensor> sink) throws IOException {
        return forEachLabelled((images, labels) -> sink.accept(images));
    }

    /**
     * Hands every batch with its labels (one per sample, or null when the source has none) to {@code sink}; the
     * labels let a quantizer report accuracy besides agreement. Returns the samples handed over.
     */
    long forEachLabelled(BiConsumer<HostTensor, long[]> sink) throws IOException;

    /** What the batches come from, for reports, e.g. "512 images of imagefolder val". */
    String describe();
}

package dev.lathe.calibration.data;

import dev.lathe.graph.ir.DataType;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.io.Npy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Calibration batches from a folder of {@code .npy} files, read in name order, one file at a time: each file is a
 * float32 array whose first dimension is the sample (already preprocessed the way the model expects), cut into
 * batches of at most {@code batch} samples, until {@code samples} are handed over.
 */
public final class NpyBatches implements CalibrationData {
    private final List<Path> files;
    private final long samples;
    private final int batch;

    public NpyBatches(Path dir, long samples, int batch) throws IOException {
        if (samples < 1 || batch < 1) {
            throw new IllegalArgumentException("calibration needs samples and batch >= 1, got " + samples + ", "
                    + batch);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("npy:" + dir + ": no such folder");
        }
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".npy")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("npy:" + dir + ": the folder holds no .npy file");
        }
        this.samples = samples;
        this.batch = batch;
    }

    @Override
    public long forEachLabelled(BiConsumer<HostTensor, long[]> sink) throws IOException {
        long left = samples;
        for (Path f : files) {
            if (left == 0) {
                break;
            }
            HostTensor t = Npy.read(f);
            if (t.dtype() != DataType.FLOAT || t.rank() < 1) {
                throw new IllegalArgumentException(f + ": calibration batches must be float32 arrays [N, ...], got "
                        + t);
            }
            long rows = Math.min(t.shape()[0], left);
            long rowBytes = t.byteSize() / Math.max(1, t.shape()[0]);
            for (long r = 0; r < rows; r += batch) {
                int n = (int) Math.min(batch, rows - r);
                long[] shape = t.shape();
                shape[0] = n;
                ByteBuffer slice = ByteBuffer.allocateDirect(Math.toIntExact(n * rowBytes))
                        .order(ByteOrder.nativeOrder());
                ByteBuffer src = t.data().duplicate();
                src.position(Math.toIntExact(r * rowBytes)).limit(Math.toIntExact((r + n) * rowBytes));
                slice.put(src).flip();
                sink.accept(HostTensor.wrap(DataType.FLOAT, shape, slice), null);
            }
            left -= rows;
        }
        return samples - left;
    }

    @Override
    public String describe() {
        return "up to " + samples + " samples from " + files.size() + " .npy file" + (files.size() == 1 ? "" : "s");
    }
}

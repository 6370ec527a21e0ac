package dev.lathe.runtime.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches from a {@link Dataset} in a seeded shuffled order, decoded and augmented by worker threads ahead of the
 * consumer: up to {@code prefetch} batches are in flight while the consumer uses the current one, each filled by one
 * worker into its own direct buffers (float32 images, int64 labels, native order, ready to wrap as ONNX Runtime
 * tensors). Batch b of epoch e holds the same images in the same order whatever the worker count: the order is a
 * function of (seed, epoch), and an {@link AugmentedDataset}'s randomness of (seed, epoch, index).
 */
public final class BatchLoader implements AutoCloseable {
    private final Dataset data;
    private final int batch;
    private final int prefetch;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int perImage;
    private final ExecutorService workers;
    private final Mixup mixup;
    /** Separates the mixing draws' seeds from the shuffle's (batch number -1) and the images' (index >= 0). */
    private static final long MIXUP_SALT = 0x6d697875704c6174L;

    /** A filled batch: {@code size} images (the last batch of an epoch may be short unless dropLast). */
    public static final class Batch {
        private final FloatBuffer images;
        private final LongBuffer labels;
        private final FloatBuffer targets;
        private int size;
        private int index;

        Batch(int batch, int perImage, int classes) {
            images = ByteBuffer.allocateDirect(4 * batch * perImage).order(ByteOrder.nativeOrder()).asFloatBuffer();
            labels = ByteBuffer.allocateDirect(8 * batch).order(ByteOrder.nativeOrder()).asLongBuffer();
            targets = classes == 0 ? null
                    : ByteBuffer.allocateDirect(4 * batch * classes).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        /** With mixup: [size, classes] float32 soft targets (position 0); null without. */
        public FloatBuffer targets() {
            return targets;
        }

        /** [size, C, H, W] float32, position 0, limit size*C*H*W. Valid until the iterator's next call. */
        public FloatBuffer images() {
            return images;
        }

        /** [size] int64 labels, position 0, limit size. */
        public LongBuffer labels() {
            return labels;
        }

        public int size() {
            return size;
        }

        /** Batch number within the epoch. */
        public int index() {
            return index;
        }
    }

    /**
     * @param workers decoding threads (>= 1)
     * @param prefetch batches filled ahead of the consumer (>= 1)
     * @param shuffle false keeps dataset order (evaluation)
     */
    public BatchLoader(Dataset data, int batch, int workers, int prefetch, long seed, boolean shuffle, boolean dropLast) {
        this(data, batch, workers, prefetch, seed, shuffle, dropLast, null);
    }

    /**
     * @param mixup mixes each filled batch and writes its soft targets, drawing from (seed, epoch, batch number),
     *     so the mixed batches too are the same for any worker count; null for none. Needs dropLast and an even
     *     batch (timm's Mixup pairs image i with image batch-1-i).
     */
    public BatchLoader(Dataset data, int batch, int workers, int prefetch, long seed, boolean shuffle, boolean dropLast,
            Mixup mixup) {
        if (mixup != null && (!dropLast || batch % 2 != 0)) {
            throw new IllegalArgumentException("mixup/cutmix needs an even batch size and whole batches; got batch "
                    + batch + (dropLast ? "" : " without drop-last"));
        }
        if (mixup != null && mixup.numClasses() != data.numClasses()) {
            throw new IllegalArgumentException("mixup is set up for " + mixup.numClasses() + " classes, the data has "
                    + data.numClasses());
        }
        long[] shape = data.imageShape();
        if (mixup != null) {
            mixup.checkImageSize(Math.toIntExact(shape[1]), Math.toIntExact(shape[2]));
        }
        this.mixup = mixup;
        if (batch < 1 || workers < 1 || prefetch < 1) {
            throw new IllegalArgumentException("loader needs batch, workers and prefetch >= 1; got " + batch + ", "
                    + workers + ", " + prefetch);
        }
        this.data = data;
        this.batch = batch;
        this.prefetch = prefetch;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.perImage = Math.toIntExact(shape[0] * shape[1] * shape[2]);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "lathe-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Batches in an epoch. */
    public int batchesPerEpoch() {
        return dropLast ? data.size() / batch : (data.size() + batch - 1) / batch;
    }

    /** The image order of an epoch: a Fisher-Yates permutation from (seed, epoch), or identity without shuffle. */
    public int[] order(int epoch) {
        int[] p = new int[data.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        if (shuffle) {
            Random r = new Random(AugmentedDataset.mix(seed, epoch, -1));
            for (int i = p.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
        return p;
    }

    /** The batches of one epoch, produced ahead by the workers. Each batch is reused after the next call. */
    public Iterator<Batch> epoch(int epoch) {
        return new EpochIterator(epoch);
    }

    private Batch fill(Batch b, int[] order, int number, int epoch) {
        int from = number * batch;
        int n = Math.min(batch, order.length - from);
        FloatBuffer dst = b.images;
        dst.clear();
        for (int i = 0; i < n; i++) {
            int idx = order[from + i];
            if (data instanceof AugmentedDataset) {
                ((AugmentedDataset) data).fill(idx, dst, epoch);
            } else {
                data.fill(idx, dst);
            }
            b.labels.put(i, data.label(idx));
        }
        dst.flip();
        b.labels.clear().limit(n);
        if (mixup != null) {
            long[] shape = data.imageShape();
            b.targets.clear();
            mixup.apply(dst, b.labels, n, (int) shape[0], (int) shape[1], (int) shape[2], b.targets,
                    Draws.of(new Random(AugmentedDataset.mix(seed ^ MIXUP_SALT, epoch, number))));
            b.targets.limit(n * data.numClasses());
        }
        b.size = n;
        b.index = number;
        return b;
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int epoch;
        private final int[] order;
        private final int batches;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private final ArrayDeque<Batch> free = new ArrayDeque<>();
        private int submitted;
        private int taken;
        private Batch current;

        EpochIterator(int epoch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.batches = batchesPerEpoch();
            for (int i = 0; i < prefetch + 1; i++) {
                free.add(new Batch(batch, perImage, mixup == null ? 0 : data.numClasses()));
            }
            topUp();
        }

        private void topUp() {
            while (submitted < batches && inFlight.size() < prefetch) {
                Batch b = free.poll();
                int number = submitted++;
                inFlight.add(workers.submit(() -> fill(b, order, number, epoch)));
            }
        }

        @Override
        public boolean hasNext() {
            return taken < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has " + batches + " batches");
            }
            if (current != null) {
                free.add(current);
                current = null;
                topUp();
            }
            Future<Batch> f = inFlight.poll();
            try {
                current = f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for batch " + taken, e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException) {
                    throw (RuntimeException) c;
                }
                throw new IllegalStateException("loading batch " + taken + " of epoch " + epoch + " failed", c);
            }
            taken++;
            topUp();
            return current;
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}

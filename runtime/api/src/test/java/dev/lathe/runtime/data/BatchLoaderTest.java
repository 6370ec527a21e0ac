package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
    /** Every batch of an epoch, copied out (batch buffers are reused). */
    static List<float[]> images(BatchLoader l, int epoch, List<long[]> labels) {
        List<float[]> out = new ArrayList<>();
        Iterator<BatchLoader.Batch> it = l.epoch(epoch);
        while (it.hasNext()) {
            BatchLoader.Batch b = it.next();
            float[] x = new float[b.images().remaining()];
            b.images().duplicate().get(x);
            out.add(x);
            long[] y = new long[b.size()];
            b.labels().duplicate().get(y);
            labels.add(y);
        }
        return out;
    }

    static AugmentedDataset augmentedCifar() throws Exception {
        return new AugmentedDataset(Cifar.read(Cifar.Release.CIFAR100, CifarTest.fixtures(), true), Transforms.compose(
                Transforms.randomCrop(32, 32, 4), Transforms.horizontalFlip(0.5), Transforms.colorJitter(0.4, 0.4, 0.4)),
                Normalize.CIFAR, 32, 32, 11);
    }

    @Test
    void sameBatchesForAnyWorkerCountAndPrefetch() throws Exception {
        sameForAnyWorkerCount(augmentedCifar());
    }

    /** timm's recipe augmentations: RandAugment (random resample) then random erasing on the normalised image. */
    @Test
    void randAugmentAndErasingGiveTheSameBatchesForAnyWorkerCount() throws Exception {
        sameForAnyWorkerCount(new AugmentedDataset(Cifar.read(Cifar.Release.CIFAR100, CifarTest.fixtures(), true), Transforms.compose(
                Transforms.randomResizedCrop(32), Transforms.horizontalFlip(0.5),
                new RandAugment(RandAugment.Spec.parse("rand-m9-mstd0.5-inc1", "--aa"),
                        OpStyle.of(Normalize.CIFAR.mean(), null))),
                Normalize.CIFAR, RandomErasing.timm(0.4, RandomErasing.Mode.PIXEL, 3), 32, 32, 11));
    }

    private static void sameForAnyWorkerCount(AugmentedDataset d) throws Exception {
        List<long[]> y1 = new ArrayList<>();
        List<float[]> x1;
        try (BatchLoader one = new BatchLoader(d, 16, 1, 1, 5, true, false)) {
            x1 = images(one, 2, y1);
        }
        for (int[] wp : new int[][] {{3, 2}, {4, 8}}) {
            List<long[]> y = new ArrayList<>();
            List<float[]> x;
            try (BatchLoader many = new BatchLoader(d, 16, wp[0], wp[1], 5, true, false)) {
                x = images(many, 2, y);
            }
            assertEquals(x1.size(), x.size());
            for (int b = 0; b < x1.size(); b++) {
                assertArrayEquals(x1.get(b), x.get(b), "batch " + b + " with " + wp[0] + " workers");
                assertArrayEquals(y1.get(b), y.get(b));
            }
        }
        assertEquals(13, x1.size(), "200 images in batches of 16, last one short");
        assertEquals(8 * 3 * 32 * 32, x1.get(12).length);
    }

    @Test
    void epochIsASeededPermutationAndLabelsFollowTheImages() throws Exception {
        SyntheticDataset d = new SyntheticDataset(5, 3, 8, 20, 4, 1, 0);
        try (BatchLoader l = new BatchLoader(d, 7, 2, 3, 9, true, true)) {
            int[] order = l.order(0);
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                assertEquals(i, sorted[i]);
            }
            assertFalse(Arrays.equals(order, l.order(1)), "each epoch reshuffles");
            assertArrayEquals(order, new BatchLoader(d, 7, 1, 1, 9, true, true).order(0));
            List<long[]> labels = new ArrayList<>();
            List<float[]> x = images(l, 0, labels);
            assertEquals(d.size() / 7, x.size(), "dropLast");
            int per = 3 * 8 * 8;
            for (int b = 0; b < x.size(); b++) {
                for (int i = 0; i < 7; i++) {
                    int idx = order[b * 7 + i];
                    assertEquals(d.label(idx), labels.get(b)[i]);
                    FloatBuffer ref = FloatBuffer.allocate(per);
                    d.fill(idx, ref);
                    assertArrayEquals(ref.array(), Arrays.copyOfRange(x.get(b), i * per, (i + 1) * per));
                }
            }
        }
        try (BatchLoader inOrder = new BatchLoader(d, 7, 2, 2, 9, false, false)) {
            assertEquals(0, inOrder.order(3)[0]);
            BatchLoader.Batch b = inOrder.epoch(0).next();
            assertTrue(b.images().isDirect() && b.labels().isDirect());
            assertEquals(0, b.index());
        }
    }
}

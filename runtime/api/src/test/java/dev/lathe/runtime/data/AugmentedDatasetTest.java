package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AugmentedDatasetTest {
    static float[] fill(AugmentedDataset d, int index, int epoch) {
        FloatBuffer b = FloatBuffer.allocate((int) (3 * d.imageShape()[1] * d.imageShape()[2]));
        d.fill(index, b, epoch);
        return b.array();
    }

    @Test
    void cifarImagesNormalisedAndAugmentedPerEpoch() throws Exception {
        Cifar test = Cifar.read(Cifar.Release.CIFAR100, CifarTest.fixtures(), false);
        AugmentedDataset plain = new AugmentedDataset(test, (im, r) -> im, Normalize.CIFAR, 32, 32, 1);
        float[] x = fill(plain, 4, 0);
        Image im = test.image(4);
        assertEquals(((im.get(3, 2, 1)) / 255f - 0.4822f) / 0.1994f, x[1024 + 2 * 32 + 3], 0f);
        AugmentedDataset aug = new AugmentedDataset(test, Transforms.compose(Transforms.randomCrop(32, 32, 4),
                Transforms.horizontalFlip(0.5)), Normalize.CIFAR, 32, 32, 1);
        assertArrayEquals(fill(aug, 4, 0), fill(aug, 4, 0));
        assertFalse(Arrays.equals(fill(aug, 4, 0), fill(aug, 4, 1)), "another epoch, another crop");
        assertEquals(test.label(4), aug.label(4));
    }

    @Test
    void corruptImageIsSkippedForAnotherOfItsClassAndReportedOnce() {
        // class 0: images 0, 2 (2 is corrupt); class 1: images 1, 3 (both corrupt)
        ImageSet set = new ImageSet() {
            public int size() {
                return 4;
            }

            public int numClasses() {
                return 2;
            }

            public int label(int i) {
                return i % 2;
            }

            public Image image(int i) {
                if (i == 2 || i % 2 == 1) {
                    throw new CorruptImageException("img" + i + ".jpg", "truncated", null);
                }
                byte[] px = new byte[3 * 4];
                Arrays.fill(px, (byte) (10 * (i + 1)));
                return new Image(2, 2, px);
            }

            public String describe(int i) {
                return "img" + i + ".jpg";
            }
        };
        AugmentedDataset d = new AugmentedDataset(set, (im, r) -> im, new Normalize(new float[3],
                new float[] {1, 1, 1}), 2, 2, 0);
        assertEquals(10 / 255f, fill(d, 2, 0)[0], 0f, "image 0 stands in for corrupt image 2");
        fill(d, 2, 1);
        assertEquals(List.of("img2.jpg"), d.corruptPaths());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> fill(d, 1, 0));
        assertEquals(3, d.corruptCount());
        assertEquals(true, e.getMessage().contains("class 1"), e.getMessage());
    }

    @Test
    void wrongOutputSizeIsAnError() throws Exception {
        Cifar test = Cifar.read(Cifar.Release.CIFAR100, CifarTest.fixtures(), false);
        AugmentedDataset d = new AugmentedDataset(test, Transforms.centerCrop(28, 28), Normalize.CIFAR, 32, 32, 0);
        assertThrows(IllegalStateException.class, () -> fill(d, 0, 0));
    }
}

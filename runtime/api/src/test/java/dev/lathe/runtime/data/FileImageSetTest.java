package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileImageSetTest {
    static BufferedImage pattern(int w, int h, int seed) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b.setRGB(x, y, ((x * 7 + seed) % 256) << 16 | ((y * 5 + seed) % 256) << 8 | ((x + y) * 3 % 256));
            }
        }
        return b;
    }

    static void write(Path f, String format, BufferedImage b) throws IOException {
        Files.createDirectories(f.getParent());
        assertTrue(ImageIO.write(b, format, f.toFile()));
    }

    /** train/ with two classes out of name order, a nested folder, a non-image file and one truncated JPEG. */
    static Path makeTree(Path tmp) throws IOException {
        Path train = tmp.resolve("train");
        write(train.resolve("n02/b.JPEG"), "jpeg", pattern(40, 30, 1));
        write(train.resolve("n02/a.png"), "png", pattern(20, 24, 2));
        write(train.resolve("n02/sub/c.jpeg"), "jpeg", pattern(33, 33, 3));
        write(train.resolve("n01/z.png"), "png", pattern(16, 16, 4));
        write(train.resolve("n01/good.JPEG"), "jpeg", pattern(64, 48, 5));
        Files.writeString(train.resolve("n01/notes.txt"), "not an image");
        Path bad = train.resolve("n01/broken.JPEG");
        write(bad, "jpeg", pattern(64, 48, 6));
        byte[] all = Files.readAllBytes(bad);
        Files.write(bad, Arrays.copyOf(all, all.length / 2));
        return train;
    }

    @Test
    void foldersAreIndexedLikeTorchvisionImageFolder(@TempDir Path tmp) throws Exception {
        FileImageSet set = FileImageSet.folders(makeTree(tmp));
        assertEquals(List.of("n01", "n02"), set.classNames());
        assertEquals(6, set.size());
        List<String> names = List.of("broken.JPEG", "good.JPEG", "z.png", "a.png", "b.JPEG", "sub/c.jpeg");
        int[] labels = {0, 0, 0, 1, 1, 1};
        for (int i = 0; i < 6; i++) {
            assertTrue(set.describe(i).endsWith(names.get(i)), set.describe(i));
            assertEquals(labels[i], set.label(i));
        }
        Image png = set.image(2);
        BufferedImage ref = pattern(16, 16, 4);
        assertEquals((ref.getRGB(5, 9) >> 8) & 0xff, png.get(5, 9, 1), "PNG decodes exactly");
        Image jpg = set.image(1);
        assertEquals(64, jpg.width());
        assertEquals(48, jpg.height());
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> set.image(0));
        assertTrue(e.path().endsWith("broken.JPEG"), e.getMessage());
    }

    @Test
    void aTruncatedJpegIsSkippedWithACountAndTheEpochCompletes(@TempDir Path tmp) throws Exception {
        FileImageSet set = FileImageSet.folders(makeTree(tmp));
        AugmentedDataset d = new AugmentedDataset(set, Transforms.compose(Transforms.resizeShorter(16,
                Interpolation.BILINEAR), Transforms.centerCrop(16, 16)), Normalize.IMAGENET, 16, 16, 0);
        FloatBuffer b = FloatBuffer.allocate(6 * 3 * 16 * 16);
        for (int i = 0; i < d.size(); i++) {
            d.fill(i, b);
        }
        assertEquals(0, b.remaining());
        assertEquals(1, d.corruptCount());
        assertTrue(d.corruptPaths().get(0).endsWith("broken.JPEG"));
    }

    @Test
    void validationFoldersUseTheTrainingClassIndex(@TempDir Path tmp) throws Exception {
        FileImageSet train = FileImageSet.folders(makeTree(tmp));
        write(tmp.resolve("val/n02/v.png"), "png", pattern(8, 8, 1));
        FileImageSet val = FileImageSet.folders(tmp.resolve("val"), train.classNames());
        assertEquals(1, val.size());
        assertEquals(1, val.label(0));
        assertEquals(2, val.numClasses());
        write(tmp.resolve("val2/n09/v.png"), "png", pattern(8, 8, 1));
        IOException e = assertThrows(IOException.class, () -> FileImageSet.folders(tmp.resolve("val2"),
                train.classNames()));
        assertTrue(e.getMessage().contains("n09"), e.getMessage());
    }

    @Test
    void imagenetLtListFile(@TempDir Path tmp) throws Exception {
        makeTree(tmp);
        Path list = tmp.resolve("ImageNet_LT_train.txt");
        Files.writeString(list, "train/n02/b.JPEG 7\ntrain/n01/z.png 3\n\n");
        FileImageSet set = FileImageSet.list(list, tmp, 0);
        assertEquals(2, set.size());
        assertEquals(8, set.numClasses());
        assertEquals(3, set.label(1));
        assertEquals(16, set.image(1).width());
        assertEquals(1000, FileImageSet.list(list, tmp, 1000).numClasses());
        Files.writeString(list, "train/n02/b.JPEG seven\n");
        IOException e = assertThrows(IOException.class, () -> FileImageSet.list(list, tmp, 0));
        assertTrue(e.getMessage().contains(":1:"), e.getMessage());
    }
}

package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSpecTest {
    @Test
    void cifarSpecs() throws Exception {
        String dir = CifarTest.fixtures().toString();
        AugmentedDataset train = DataSpec.parse("cifar100:" + dir).train();
        assertEquals(200, train.size());
        assertArrayEquals(new long[] {3, 32, 32}, train.imageShape());
        assertEquals(100, DataSpec.parse("cifar100:" + dir).val().size());
        AugmentedDataset lt = DataSpec.parse("cifar100:" + dir + ",lt=100,seed=3").train();
        assertEquals(LongTail.cifarSelection(Cifar.read(Cifar.Release.CIFAR100, CifarTest.fixtures(), true)
                .fineLabels(), 100, 100).length, lt.size());
        String ten = CifarTest.cifar10().resolve("cifar-10-batches-bin").toString();
        AugmentedDataset train10 = DataSpec.parse("cifar10:" + ten).train();
        assertEquals(50, train10.size());
        assertEquals(10, train10.numClasses());
        assertEquals(10, DataSpec.parse("cifar10:" + ten + ",seed=1").val().size());
    }

    @Test
    void folderAndListSpecs(@TempDir Path tmp) throws Exception {
        FileImageSetTest.makeTree(tmp);
        FileImageSetTest.write(tmp.resolve("val/n01/v.png"), "png", FileImageSetTest.pattern(20, 20, 1));
        DataSpec s = DataSpec.parse("imagefolder:" + tmp + ",res=16");
        assertEquals(6, s.train().size());
        AugmentedDataset val = s.val();
        assertEquals(1, val.size());
        assertArrayEquals(new long[] {3, 16, 16}, val.imageShape());
        Path list = tmp.resolve("lt.txt");
        Files.writeString(list, "train/n02/a.png 4\n");
        AugmentedDataset lt = DataSpec.parse("imagenet-lt:" + list + "," + tmp + ",val=" + list + ",classes=5").train();
        assertEquals(5, lt.numClasses());
        assertEquals(4, lt.label(0));
    }

    @Test
    void badSpecsNameTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("mnist:x")).getMessage()
                .contains("mnist"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("cifar100:x,lr=3")).getMessage()
                .contains("lr"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("imagenet-lt:list.txt"))
                .getMessage().contains("LIST,ROOT"));
        assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("cifar100"));
    }
}

package dev.lathe.pruning.surgery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-gather multi-axis take against element-by-element index arithmetic. */
class TensorSlicesTest {
    @Test
    void takeOnSeveralAxesKeepsExactlyTheChosenElements() {
        long[] dims = {6, 5, 3, 2};
        int[][] keep = {{0, 2, 3, 5}, {1, 2, 4}, null, {1}};
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.INT64, DataType.FLOAT16}) {
            Tensor t = random(dt, dims, 7);
            Tensor cut = TensorSlices.take(t, keep);
            assertArrayEquals(new long[] {4, 3, 3, 1}, cut.dims());
            int eb = dt.bits() / 8;
            ByteBuffer src = t.data();
            ByteBuffer got = cut.data();
            int pos = 0;
            for (int a : keep[0]) {
                for (int b : keep[1]) {
                    for (int c = 0; c < 3; c++) {
                        for (int d : keep[3]) {
                            int from = (((a * 5 + b) * 3 + c) * 2 + d) * eb;
                            for (int k = 0; k < eb; k++) {
                                if (src.get(from + k) != got.get(pos + k)) {
                                    throw new AssertionError(dt + ": element (" + a + "," + b + "," + c + "," + d
                                            + ") byte " + k + " differs");
                                }
                            }
                            pos += eb;
                        }
                    }
                }
            }
        }
    }

    @Test
    void takeOnOneAxisEqualsTheMultiAxisFormWithOneList() {
        Tensor t = random(DataType.FLOAT, new long[] {4, 7, 3}, 11);
        int[] keep = {0, 1, 2, 5};
        Tensor one = TensorSlices.take(t, 1, keep);
        Tensor multi = TensorSlices.take(t, new int[][] {null, keep, null});
        assertArrayEquals(multi.dims(), one.dims());
        assertArrayEquals(multi.toFloats(), one.toFloats());
        float[] src = t.toFloats();
        float[] got = one.toFloats();
        int i = 0;
        for (int o = 0; o < 4; o++) {
            for (int k : keep) {
                for (int j = 0; j < 3; j++) {
                    assertArrayEquals(new float[] {src[(o * 7 + k) * 3 + j]}, new float[] {got[i++]});
                }
            }
        }
    }

    private static Tensor random(DataType dt, long[] dims, long seed) {
        long n = Tensor.numel(dims);
        byte[] bytes = new byte[(int) (n * dt.bits() / 8)];
        new Random(seed).nextBytes(bytes);
        return Tensor.of(dt, dims, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }
}

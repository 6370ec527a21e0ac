package dev.lathe.converter.ckpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A table written by {@link TorchSave} reads back through the checkpoint reader with the same keys, dtypes, shapes
 * and bytes. (That {@code torch.load} reads such a file is checked by hand with
 * {@code tests/src/test/resources/fixtures/anchornet/check_lathe_table.py} on the tables the tests module writes;
 * tests never need Python.)
 */
class TorchSaveTest {
    @Test
    void tableRoundTripsThroughTheReader() throws Exception {
        Path dir = Path.of("target/torch-save-test");
        Files.createDirectories(dir);
        Path file = dir.resolve("table.pth");
        float[] conf = {0.5f, 0.25f, 0.9f, 1f, 0.125f, 0.75f};
        ByteBuffer pred = ByteBuffer.wrap(new byte[] {1, 0, 1, 1, 0, 0});
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("setup", "lathe_[0.3, 0.3]");
        dict.put("thresholds", Tensor.ofFloats(new long[] {2, 3}, conf));
        dict.put("predictions", Tensor.of(DataType.BOOL, new long[] {2, 3}, pred));
        dict.put("stage_gmacs", List.of(0.79, 1.64, 2.43));
        dict.put("images", 2L);
        dict.put("big", 1L << 40);
        TorchSave.write(file, dict);
        Checkpoint c = Checkpoint.read(file, true);
        assertEquals(Checkpoint.Format.PYTORCH_ZIP, c.format());
        Map<?, ?> root = (Map<?, ?>) c.root();
        assertEquals(List.of("setup", "thresholds", "predictions", "stage_gmacs", "images", "big"),
                List.copyOf(root.keySet()));
        assertEquals("lathe_[0.3, 0.3]", root.get("setup"));
        Tensor t = ((StoredTensor) root.get("thresholds")).toTensor();
        assertEquals(DataType.FLOAT, t.dtype());
        assertArrayEquals(new long[] {2, 3}, t.dims());
        assertArrayEquals(conf, t.toFloats());
        Tensor p = ((StoredTensor) root.get("predictions")).toTensor();
        assertEquals(DataType.BOOL, p.dtype());
        assertArrayEquals(new long[] {1, 0, 1, 1, 0, 0}, p.toLongs());
        assertEquals(List.of(0.79, 1.64, 2.43), root.get("stage_gmacs"));
        assertEquals(2L, ((Number) root.get("images")).longValue());
        assertEquals(1L << 40, ((Number) root.get("big")).longValue());
    }
}

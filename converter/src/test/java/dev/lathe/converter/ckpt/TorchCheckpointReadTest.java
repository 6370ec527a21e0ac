package dev.lathe.converter.ckpt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointReadTest {

    @SuppressWarnings("unchecked")
    static Map<String, Tensor> tensorsOf(Object map) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
            out.put(e.getKey(), ((StoredTensor) e.getValue()).toTensor());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"every_dtype_zip.pt", "every_dtype_legacy.pt"})
    void everyDtypeAndLayoutMatchesTorchBitForBit(String name) throws Exception {
        Checkpoint ckpt = Checkpoint.read(Fixtures.file(name));
        assertEquals(name.contains("zip") ? Checkpoint.Format.PYTORCH_ZIP : Checkpoint.Format.PYTORCH_LEGACY,
                ckpt.format());
        Map<?, ?> root = (Map<?, ?>) ckpt.root();
        Fixtures.assertAllSameAsTorch(Fixtures.expected().get("every_dtype"), tensorsOf(root.get("tensors")));
        assertEquals("every dtype", root.get("note"));
        assertEquals(0.5, root.get("ratio"));
        assertEquals(Boolean.TRUE, root.get("flag"));
        assertTrue(root.containsKey("nothing") && root.get("nothing") == null);
        assertArrayEquals(new Object[] {1, 2, 3}, (Object[]) root.get("shape_tuple"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"every_dtype_zip.pt", "every_dtype_legacy.pt"})
    void viewsShareOneStorageAndContiguousTensorsAliasTheMapping(String name) throws Exception {
        Map<?, ?> tensors = (Map<?, ?>) ((Map<?, ?>) Checkpoint.read(Fixtures.file(name)).root()).get("tensors");
        StoredTensor base = (StoredTensor) tensors.get("shared.base");
        for (String view : List.of("shared.transposed", "shared.rows", "shared.column", "shared.every_other",
                "shared.expanded")) {
            assertSame(base.storage(), ((StoredTensor) tensors.get(view)).storage(), view);
        }
        StoredTensor rows = (StoredTensor) tensors.get("shared.rows");
        assertEquals(6, rows.storageOffset());
        assertTrue(rows.isContiguous());
        assertFalse(((StoredTensor) tensors.get("shared.transposed")).isContiguous());
        assertArrayEquals(new long[] {0, 1}, ((StoredTensor) tensors.get("shared.expanded")).stride());
        // contiguous tensors are slices of the memory-mapped file, not copies
        assertTrue(base.toTensor().data().isDirect());
    }

    @Test
    void bareStateDictKeepsInsertionOrderAndMarksNothingAsParameter() throws Exception {
        Map<?, ?> root = (Map<?, ?>) Checkpoint.read(Fixtures.file("bare.pth")).root();
        assertEquals(List.of("conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                "bn.num_batches_tracked", "fc.weight", "fc.bias"), List.copyOf(root.keySet()));
        Fixtures.assertAllSameAsTorch(Fixtures.expected().get("small"), tensorsOf(root));
    }

    @Test
    void safetensorsEveryDtypeMatchesBitForBit() throws Exception {
        Checkpoint ckpt = Checkpoint.read(Fixtures.file("mixed.safetensors"));
        assertEquals(Checkpoint.Format.SAFETENSORS, ckpt.format());
        assertEquals("pt", ckpt.metadata().get("format"));
        Fixtures.assertAllSameAsTorch(Fixtures.expected().get("safetensors"), tensorsOf(ckpt.root()));
    }

    @Test
    void namespaceAndUnknownClassesBecomeInertRecords() throws Exception {
        Map<?, ?> root = (Map<?, ?>) Checkpoint.read(Fixtures.file("wrap_timm.pth.tar")).root();
        Namespace args = (Namespace) root.get("args");
        assertEquals(0.1, args.attributes().get("lr"));
        assertEquals("small", args.attributes().get("model"));
        assertEquals(300, args.attributes().get("epochs"));

        Map<?, ?> pruned = (Map<?, ?>) ((Map<?, ?>) Checkpoint.read(Fixtures.file("pruned_tp.pth")).root())
                .get("state_dict");
        Map<?, ?> rootModule = (Map<?, ?>) ((Map<?, ?>) pruned.get("full_state_dict")).get("");
        PyObject conv = (PyObject) ((Map<?, ?>) rootModule.get("_modules")).get("conv");
        assertEquals("torch.nn.modules.conv.Conv2d", conv.type());
        Map<?, ?> convState = (Map<?, ?>) conv.state();
        assertEquals(3, convState.get("out_channels"));
        StoredTensor w = (StoredTensor) ((Map<?, ?>) convState.get("_parameters")).get("weight");
        assertTrue(w.isParameter());
        assertArrayEquals(new long[] {3, 3, 3, 3}, w.shape());
    }

    @Test
    void numpyScalarMetricsBecomeNumbers() throws Exception {
        Map<?, ?> root = (Map<?, ?>) Checkpoint.read(Fixtures.file("wrap_net.pth.tar")).root();
        assertEquals(92.5, root.get("best_top5"));
        assertEquals(1234L, root.get("steps"));
        assertEquals(75.1, root.get("acc"));
    }

    @Test
    void refusingUnknownGlobalsNamesTheGlobal() {
        CheckpointFormatException e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointFormatException.class,
                () -> Checkpoint.read(Fixtures.file("pruned_tp.pth"), true));
        assertTrue(e.getMessage().contains("refused global torch.nn.modules"), e.getMessage());
    }

    /** The AnchorNet authors' released table (SEEDS.md 4.3): a real zip checkpoint saved from CUDA tensors. */
    @Test
    void anchorNetReleasedTableReadsCorrectly() throws Exception {
        Path file = Fixtures.shared("data/anchornet/densenet201_95_0.3_0.pth");
        Assumptions.assumeTrue(Files.exists(file), "shared/data/anchornet is not beside the repository: " + file);
        Map<?, ?> root = (Map<?, ?>) Checkpoint.read(file).root();
        assertEquals("densenet201_95_[0.3, 0.3, 0.3, 0.3]", root.get("setup"));
        Tensor thresholds = ((StoredTensor) root.get("thresholds")).toTensor();
        Tensor predictions = ((StoredTensor) root.get("predictions")).toTensor();
        assertEquals(DataType.FLOAT, thresholds.dtype());
        assertEquals(DataType.BOOL, predictions.dtype());
        assertArrayEquals(new long[] {50000, 6}, thresholds.dims());
        assertArrayEquals(new long[] {50000, 6}, predictions.dims());
        // Per-column static top-1 from SEEDS.md 4.3: 70.378, 73.648, 74.530, 74.712, 74.866, 74.792 %.
        long[] correct = new long[6];
        long[] p = predictions.toLongs();
        for (int i = 0; i < p.length; i++) {
            correct[i % 6] += p[i];
        }
        assertArrayEquals(new long[] {35189, 36824, 37265, 37356, 37433, 37396}, correct);
        // Exit rule with thresholds [0.5, 0.8, 0.9, 0.9, 0] gives 0.73812 top-1 and 1.286 GMACs (SEEDS.md 4.3).
        float[] t = thresholds.toFloats();
        float[] tau = {0.5f, 0.8f, 0.9f, 0.9f, 0f};
        long right = 0;
        double macs = 0;
        for (int i = 0; i < 50000; i++) {
            int exit = 0;
            while (exit < 4 && !(t[6 * i + exit] > tau[exit])) {
                exit++;
            }
            right += p[6 * i + exit];
            macs += exit == 0 ? 0.79 : 0.06 + 0.79 * (exit + 1);
        }
        assertEquals(36906, right);
        assertEquals(1.286, macs / 50000, 5e-4);
    }
}

package dev.lathe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every zoo model at its published configuration has the published parameter count (exact where the source gives
 * an exact count) and MACs (to the published rounding). ONNX Runtime session creation at ALL_OPT is covered by
 * {@link ZooParityTest}, which builds every model with the same builder at the fixture's size.
 * Sources: torchvision 0.14 model documentation (num_params, GFLOPS = GMACs), docs/SEEDS.md for the papers.
 * The same builds check the counts {@code lathe zoo list} shows without building ({@link ModelZoo#storedCount});
 * {@code -Dzoo.writeCounts=true} rewrites that resource from the built graphs.
 */
class ZooCountsTest {
    private static final Path STORED_COUNTS = Path.of("src/main/resources" + ModelZoo.COUNTS_RESOURCE);

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // name, params as published, half its rounding step, GMACs as published, half its rounding step
        "resnet18, 11689512, 0, 1.81, 0.005",
        "resnet34, 21797672, 0, 3.66, 0.005",
        "resnet50, 25557032, 0, 4.09, 0.005",
        "resnet101, 44549160, 0, 7.80, 0.005",
        "resnext50_32x4d, 25028904, 0, 4.23, 0.005",
        "mobilenet_v2, 3504872, 0, 0.30, 0.005",
        "densenet121, 7978856, 0, 2.83, 0.005",
        "densenet201, 20013928, 0, 4.29, 0.005",
        // CIC README: 7.45 M / 1.10 G at 32x32; ResNeXt-50 "25.02 M" is 25,027,904 (torchvision's less the fc bias)
        // cut, not rounded, to two decimals, hence the window [25.02, 25.03) M; its 5.58 G is torch-pruning's count
        // at 256x256, which adds BN and elementwise ops; conv+matmul MACs at 224 are torchvision's 4.23 G
        "cic_resnet32, 7450000, 5000, 1.10, 0.005",
        "cic_resnext50_32x4d, 25025000, 5000, 4.23, 0.005",
        // ResNet-56 on CIFAR-10: 0.85 M parameters, 125.49 M MACs, as the pruning literature cites it
        "cifar_resnet56, 850000, 5000, 0.12549, 0.000005",
        // ISP's CIFAR MobileNetV2 (SEEDS.md 2.4) has no published count: the PyTorch reference's (parity/papers.py
        // IspMobileNetV2(10), parameters() and generate.py count_macs at 32x32), exact
        "cifar_mobilenet_v2, 2297754, 0, 0.304075264, 0.0000000005",
        // EfficientMod paper Table 1: 4.7 / 6.6 / 12.9 / 12.9 M params, 0.6 / 0.8 / 1.4 / 1.5 G "FLOPs" (= MACs)
        "efficientmod_xxs, 4700000, 50000, 0.6, 0.05",
        "efficientmod_xs, 6600000, 50000, 0.8, 0.05",
        "efficientmod_s, 12900000, 50000, 1.4, 0.05",
        "efficientmod_s_conv, 12900000, 50000, 1.5, 0.05",
        // IIEU: SEEDS.md 1.3 (computed from the repository's layers; the paper's table was not reachable)
        "iieub_resnet14, 10090000, 5000, 1.47, 0.005",
        "iieub_resnet26, 16040000, 5000, 2.34, 0.005",
        "iieub_resnet50, 25640000, 5000, 4.09, 0.005",
        // IIEU-DC: parameters from SEEDS.md 1.3; its MAC column is the raw/iieub count, and the scaler's two Linears
        // on two tokens add C^2/4 per block, so MACs are the PyTorch reference's (parity/papers.py, generate.py
        // count_macs at 224, 1000 classes), exact
        "iieudc_resnet14, 10820000, 5000, 1.470185472, 0.0000000005",
        "iieudc_resnet26, 17500000, 5000, 2.345041920, 0.0000000005",
        "iieudc_resnet50, 28280000, 5000, 4.094214144, 0.0000000005",
        "raw_resnet14, 10060000, 5000, 1.47, 0.005",
        "raw_resnet26, 16000000, 5000, 2.34, 0.005",
        // the activation baselines have raw_resnet's counts (PReLU adds one slope per activation: 13 / 25)
        "gelu_resnet14, 10060000, 5000, 1.47, 0.005",
        "gelu_resnet26, 16000000, 5000, 2.34, 0.005",
        "mish_resnet14, 10060000, 5000, 1.47, 0.005",
        "mish_resnet26, 16000000, 5000, 2.34, 0.005",
        "swish_resnet14, 10060000, 5000, 1.47, 0.005",
        "swish_resnet26, 16000000, 5000, 2.34, 0.005",
        "silu_resnet14, 10060000, 5000, 1.47, 0.005",
        "silu_resnet26, 16000000, 5000, 2.34, 0.005",
        "elu_resnet14, 10060000, 5000, 1.47, 0.005",
        "elu_resnet26, 16000000, 5000, 2.34, 0.005",
        "softplus_resnet14, 10060000, 5000, 1.47, 0.005",
        "softplus_resnet26, 16000000, 5000, 2.34, 0.005",
        "leakyrelu_resnet14, 10060000, 5000, 1.47, 0.005",
        "leakyrelu_resnet26, 16000000, 5000, 2.34, 0.005",
        "prelu_resnet14, 10060000, 5000, 1.47, 0.005",
        "prelu_resnet26, 16000000, 5000, 2.34, 0.005",
        "iieub_mobilenetv2_017, 1459000, 500, 0.032, 0.0005",
        "iieudc_mobilenetv2_017, 1463000, 500, 0.032021344, 0.0000000005",
        // AnchorNet: SEEDS.md 4.1-4.2, 0.675 M params and the 0.06 G (0.0605) used in the paper's FLOPs accounting;
        // DenseNet-201 at 95x95: 0.790 G per patch in the repository's accounting (0.7898 computed)
        "anchornet, 675000, 500, 0.0605, 0.00005",
        "densenet201_95, 20013928, 0, 0.7898, 0.00005",
    })
    void publishedCounts(String name, double params, double paramsTolerance, double gmacs, double tolerance) {
        Model m = ModelZoo.get(name).build();
        ModelCount count = ModelCounter.count(m);
        long gotParams = count.params();
        double got = count.macs() / 1e9;
        System.out.printf("%s: %d params, %.4f GMACs%n", name, gotParams, got);
        assertEquals(params, gotParams, paramsTolerance, name + " parameters");
        assertEquals(gmacs, got, tolerance, name + " GMACs");
        ZooCount stored = ModelZoo.storedCount(name).orElseThrow(() -> new AssertionError(name
                + " has no line in " + ModelZoo.COUNTS_RESOURCE + "; run this test with -Dzoo.writeCounts=true"));
        assertEquals(new ZooCount(count.params(), count.macs()), stored, name + ": stored count vs the built graph's "
                + "(rewrite " + ModelZoo.COUNTS_RESOURCE + " with -Dzoo.writeCounts=true)");
    }

    /** Every zoo model has a published row above (so its stored count is checked) and nothing else has one. */
    @Test
    void everyZooModelIsCheckedAndStored() throws Exception {
        CsvSource rows = getClass().getDeclaredMethod("publishedCounts", String.class, double.class, double.class,
                double.class, double.class).getAnnotation(CsvSource.class);
        Set<String> checked = new LinkedHashSet<>();
        for (String row : rows.value()) {
            checked.add(row.split(",")[0].strip());
        }
        Set<String> zoo = new LinkedHashSet<>();
        ModelZoo.entries().forEach(e -> zoo.add(e.name()));
        assertEquals(zoo, checked, "published rows vs zoo entries");
        for (String name : zoo) {
            assertEquals(true, ModelZoo.storedCount(name).isPresent(), name + " has no stored count");
        }
    }

    /** Rewrites the stored counts from freshly built graphs: {@code -Dzoo.writeCounts=true -Dtest=ZooCountsTest}. */
    @Test
    @EnabledIfSystemProperty(named = "zoo.writeCounts", matches = "true")
    void writeStoredCounts() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("# name\tparams\tmacs of every zoo model at its published configuration (ModelCounter on the built");
        lines.add("# graph, batch 1); written by ZooCountsTest -Dzoo.writeCounts=true, checked by ZooCountsTest");
        for (ZooEntry e : ModelZoo.entries()) {
            ModelCount c = ModelCounter.count(e.build());
            lines.add(e.name() + "\t" + c.params() + "\t" + c.macs());
        }
        Files.createDirectories(STORED_COUNTS.getParent());
        Path tmp = Files.createTempFile(STORED_COUNTS.getParent(), "zoo-counts", ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, STORED_COUNTS, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

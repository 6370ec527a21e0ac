package dev.lathe.models;

import dev.lathe.models.anchornet.AnchorNet;
import dev.lathe.models.cic.CicResNet32;
import dev.lathe.models.cic.NormedLinear;
import dev.lathe.models.efficientmod.EfficientMod;
import dev.lathe.models.iieu.BaselineActivation;
import dev.lathe.models.iieu.IieuMobileNetV2;
import dev.lathe.models.iieu.IieuResNet;
import dev.lathe.models.isp.CifarMobileNetV2;
import dev.lathe.models.isp.CifarResNet56;
import dev.lathe.models.torchvision.DenseNet;
import dev.lathe.models.torchvision.MobileNetV2;
import dev.lathe.models.torchvision.ResNet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of zoo models by name, in the order {@code lathe zoo list} shows them, and the stored parameter and
 * MAC counts of each at its published configuration ({@value #COUNTS_RESOURCE}). Counting a model means building
 * it with all its weights, so listing the zoo from the graphs takes a minute; the stored counts are written by
 * {@code ZooCountsTest}, which also rebuilds every model and fails when a stored count differs from its graph's.
 */
public final class ModelZoo {
    /** Classpath resource: one line per model, {@code name<TAB>params<TAB>macs}; '#' starts a comment line. */
    public static final String COUNTS_RESOURCE = "/dev/lathe/models/zoo-counts.tsv";
    private static final String TORCHVISION = "torchvision 0.14";
    private static final String CIC = "CIC: Class Importance Consistency Matters (long-tailed pruning)";
    private static final String ISP = "ISP: Interpretations Steered Network Pruning (ECCV 2022)";
    private static final String EFFICIENTMOD = "EfficientMod: Efficient Modulation for Vision Networks (ICLR 2024)";
    private static final String IIEU = "IIEU: Instantaneous Importance Estimation Units (ICCV 2023)";
    private static final String ANCHORNET = "AnchorNet: Localizing Semantic Patches (ICME 2022)";
    private static final ZooConfig IMAGENET = new ZooConfig(1000, 224, 0);

    private static final Map<String, ZooEntry> ENTRIES = new LinkedHashMap<>();

    static {
        resnet("resnet18", ResNet.RESNET18);
        resnet("resnet34", ResNet.RESNET34);
        resnet("resnet50", ResNet.RESNET50);
        resnet("resnet101", ResNet.RESNET101);
        resnet("resnext50_32x4d", ResNet.RESNEXT50_32X4D);
        add(new ZooEntry("mobilenet_v2", TORCHVISION, IMAGENET, c -> MobileNetV2.build("mobilenet_v2", c)));
        add(new ZooEntry("densenet121", TORCHVISION, IMAGENET, c -> DenseNet.build("densenet121", DenseNet.DENSENET121, c)));
        add(new ZooEntry("densenet201", TORCHVISION, IMAGENET, c -> DenseNet.build("densenet201", DenseNet.DENSENET201, c)));
        add(new ZooEntry("cic_resnet32", CIC, new ZooConfig(100, 32, 0), c -> CicResNet32.build("cic_resnet32", c)));
        add(new ZooEntry("cic_resnext50_32x4d", CIC, IMAGENET, c -> ResNet.build("cic_resnext50_32x4d",
                ResNet.RESNEXT50_32X4D, c, (nn, f) -> NormedLinear.apply(nn, "fc", f, c.classes()))));
        add(new ZooEntry("cifar_resnet56", ISP, new ZooConfig(10, 32, 0), c -> CifarResNet56.build("cifar_resnet56", c)));
        add(new ZooEntry("cifar_mobilenet_v2", ISP, new ZooConfig(10, 32, 0),
                c -> CifarMobileNetV2.build("cifar_mobilenet_v2", c)));
        efficientMod("efficientmod_xxs", EfficientMod.XXS);
        efficientMod("efficientmod_xs", EfficientMod.XS);
        efficientMod("efficientmod_s", EfficientMod.S);
        efficientMod("efficientmod_s_conv", EfficientMod.S_CONV);
        iieu("iieub_resnet14", IieuResNet.RESNET14, false);
        iieu("iieub_resnet26", IieuResNet.RESNET26, false);
        iieu("iieub_resnet50", IieuResNet.RESNET50, false);
        add(new ZooEntry("iieub_mobilenetv2_017", IIEU, IMAGENET,
                c -> IieuMobileNetV2.build("iieub_mobilenetv2_017", false, c)));
        // IIEU-DC: IIEU-B plus the dynamic scaler in place of every residual add
        iieu("iieudc_resnet14", IieuResNet.RESNET14, true);
        iieu("iieudc_resnet26", IieuResNet.RESNET26, true);
        iieu("iieudc_resnet50", IieuResNet.RESNET50, true);
        add(new ZooEntry("iieudc_mobilenetv2_017", IIEU, IMAGENET,
                c -> IieuMobileNetV2.build("iieudc_mobilenetv2_017", true, c)));
        // the IIEU paper's ReLU baselines: timm Bottleneck ResNets, the same keys and topology as torchvision's
        iieuBaseline("raw_resnet14", IieuResNet.RESNET14);
        iieuBaseline("raw_resnet26", IieuResNet.RESNET26);
        // the paper's other activation baselines: the raw ResNets with every ReLU swapped
        for (BaselineActivation act : BaselineActivation.values()) {
            iieuBaseline(act.prefix() + "resnet14", IieuResNet.RESNET14, act);
            iieuBaseline(act.prefix() + "resnet26", IieuResNet.RESNET26, act);
        }
        add(new ZooEntry("anchornet", ANCHORNET, IMAGENET, c -> AnchorNet.build("anchornet", c)));
        add(new ZooEntry("densenet201_95", ANCHORNET, new ZooConfig(1000, 95, 0),
                c -> DenseNet.build("densenet201_95", DenseNet.DENSENET201, c)));
    }

    private ModelZoo() {}

    private static void resnet(String name, ResNet.Spec spec) {
        add(new ZooEntry(name, TORCHVISION, IMAGENET, c -> ResNet.build(name, spec, c)));
    }

    private static void efficientMod(String name, EfficientMod.Spec spec) {
        add(new ZooEntry(name, EFFICIENTMOD, IMAGENET, c -> EfficientMod.build(name, spec, c)));
    }

    private static void iieu(String name, int[] layers, boolean dynamicScaler) {
        add(new ZooEntry(name, IIEU, IMAGENET, c -> IieuResNet.build(name, layers, dynamicScaler, c)));
    }

    private static void iieuBaseline(String name, int[] layers) {
        iieuBaseline(name, layers, ResNet.RELU);
    }

    private static void iieuBaseline(String name, int[] layers, ResNet.Activation act) {
        ResNet.Spec spec = new ResNet.Spec(true, layers, 1, 64);
        add(new ZooEntry(name, IIEU, IMAGENET, c -> ResNet.build(name, spec, c,
                (nn, f) -> nn.linear("fc", f, c.classes(), true), act)));
    }

    private static void add(ZooEntry e) {
        if (ENTRIES.putIfAbsent(e.name(), e) != null) {
            throw new IllegalStateException("duplicate zoo entry " + e.name());
        }
    }

    /**
     * The stored count of {@code name} at its published configuration, computed by ModelCounter on the built graph
     * when the resource was written; empty when the resource has no line for it.
     */
    public static Optional<ZooCount> storedCount(String name) {
        return Optional.ofNullable(StoredCounts.COUNTS.get(name));
    }

    /** Lazily read once: a holder class, so building a model never parses the resource. */
    private static final class StoredCounts {
        static final Map<String, ZooCount> COUNTS = read();

        private static Map<String, ZooCount> read() {
            Map<String, ZooCount> counts = new LinkedHashMap<>();
            InputStream in = ModelZoo.class.getResourceAsStream(COUNTS_RESOURCE);
            if (in == null) {
                return counts;
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                int lineNo = 0;
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lineNo++;
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] f = line.split("\t");
                    if (f.length != 3) {
                        throw new IllegalStateException(COUNTS_RESOURCE + " line " + lineNo
                                + ": expected name<TAB>params<TAB>macs, got '" + line + "'");
                    }
                    counts.put(f[0], new ZooCount(Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + COUNTS_RESOURCE, e);
            }
            return counts;
        }
    }

    public static List<ZooEntry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(ENTRIES.values()));
    }

    /** The entry called {@code name}; fails listing the known names. */
    public static ZooEntry get(String name) {
        ZooEntry e = ENTRIES.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no zoo model named '" + name + "'; known: " + String.join(", ",
                    ENTRIES.keySet()));
        }
        return e;
    }
}

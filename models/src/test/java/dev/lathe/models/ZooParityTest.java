package dev.lathe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.validate.ModelValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Forward parity with PyTorch: the Java-built model, its parameters bound by state_dict key to the same
 * deterministic values the reference got (fixtures by {@code parity/generate.py}), must reproduce the reference's
 * float64 logits in ONNX Runtime (ALL_OPT) to a relative error of 1e-5 (max |diff| / max |reference|).
 * The key sets must be equal both ways and every shape must match, as a strict load_state_dict would demand; the
 * parameter count must equal PyTorch's {@code parameters()} total and the MACs those counted by forward hooks; the
 * model must pass the project's validator and ONNX Runtime session creation at ALL_OPT.
 */
class ZooParityTest {
    private static final Path FIXTURES = Path.of("src/test/resources/parity");
    /** Initializers the builder adds for shapes, axes and scalar operands; they are not state_dict entries. */
    private static final Pattern GENERATED_CONSTANT = Pattern.compile("(^|.*\\.)const(_\\d+)?$");

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "resnet101", "resnext50_32x4d", "mobilenet_v2",
        "densenet121", "densenet201", "cic_resnet32", "cic_resnext50_32x4d", "cifar_resnet56", "cifar_mobilenet_v2",
        "efficientmod_xxs", "efficientmod_xs", "efficientmod_s", "efficientmod_s_conv",
        "iieub_resnet14", "iieub_resnet26", "iieub_resnet50", "raw_resnet14", "raw_resnet26",
        "anchornet", "densenet201_95", "iieub_mobilenetv2_017", "gelu_resnet14", "mish_resnet14", "prelu_resnet14",
        "elu_resnet14", "leakyrelu_resnet14", "softplus_resnet14", "silu_resnet14",
        "iieudc_resnet14", "iieudc_resnet26", "iieudc_resnet50", "iieudc_mobilenetv2_017"})
    void matchesPyTorchReference(String name) throws Exception {
        String only = System.getProperty("zoo.models"); // -Dzoo.models=a,b narrows a run while iterating
        Assumptions.assumeTrue(only == null || List.of(only.split(",")).contains(name), "not in -Dzoo.models");
        Path dir = FIXTURES.resolve(name);
        JsonNode fx = new ObjectMapper().readTree(dir.resolve("keys.json").toFile());
        Npy expected = Npy.read(dir.resolve("output.npy"));
        int resolution = fx.get("resolution").asInt();
        int batch = fx.get("batch").asInt();
        int classes = (int) expected.shape()[1];
        Model model = ModelZoo.get(name).build(new ZooConfig(classes, resolution, 0));

        Map<String, Value> inits = model.graph().initializers();
        Set<String> bound = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fx.get("keys").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Value v = inits.get(e.getKey());
            assertNotNull(v, name + ": checkpoint key " + e.getKey() + " has no parameter in the Java model");
            long[] dims = new long[e.getValue().size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = e.getValue().get(i).asLong();
            }
            assertArrayEquals(dims, v.constValue().dims(), name + ": shape of " + e.getKey());
            v.setConstValue(ReferenceWeights.value(e.getKey(), dims));
            bound.add(e.getKey());
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : inits.keySet()) {
            if (!bound.contains(k) && !GENERATED_CONSTANT.matcher(k).matches()) {
                unexpected.add(k);
            }
        }
        assertTrue(unexpected.isEmpty(), name + ": Java parameters missing from the PyTorch state_dict: " + unexpected);

        ModelValidator.validate(model);
        ModelCount count = ModelCounter.count(model);
        assertEquals(fx.get("params").asLong(), count.params() + unreadParameters(model),
                name + ": parameters vs PyTorch");
        assertEquals(fx.get("macs").asLong(), count.macs(), name + ": MACs vs PyTorch hooks");

        long[] inShape = {batch, 3, resolution, resolution};
        float[] input = ReferenceWeights.value("input", inShape).toFloats();
        float[] got = OrtParity.runFloats(model, Map.of(ModelInputs.INPUT, Tensor.ofFloats(inShape, input)),
                OrtParity.Settings.DEPLOYED).get(ModelInputs.OUTPUT);
        assertEquals(expected.data().length, got.length, name + ": output size");
        double maxRef = 0;
        double maxDiff = 0;
        for (int i = 0; i < got.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(expected.data()[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected.data()[i] - got[i]));
        }
        double rel = maxDiff / maxRef;
        System.out.printf("%s: max |ref| %.4g, max |diff| %.3g, relative %.3g%n", name, maxRef, maxDiff, rel);
        assertTrue(rel <= 1e-5, name + ": relative error " + rel + " > 1e-5");
    }

    /**
     * Elements of float initializers no node reads, less BN running statistics: PyTorch's {@code parameters()}
     * includes modules a forward skips (AnchorNet's first expansion conv), ModelCounter counts what the graph reads.
     */
    private static long unreadParameters(Model model) {
        long n = 0;
        for (Value v : model.graph().initializers().values()) {
            String k = v.name();
            if (v.uses().isEmpty() && v.constValue().dtype().isFloatingPoint() && v.constValue().rank() > 0
                    && !k.endsWith("running_mean") && !k.endsWith("running_var")) {
                n += v.constValue().numel();
            }
        }
        return n;
    }
}

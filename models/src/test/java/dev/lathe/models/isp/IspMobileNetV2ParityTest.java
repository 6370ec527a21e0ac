package dev.lathe.models.isp;

import static dev.lathe.graph.train.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.train.Fixture;
import dev.lathe.graph.train.TrainStep;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ISP's CIFAR MobileNetV2 with gates against PyTorch (src/test/resources/isp/mobilenet/generate.py, the authors'
 * Models/MobileNetV2.py and RealTimeSaliencyRBF's MobileNetV2 branch as facts): with a 0/1 gate vector closing
 * channels in every block, Stage C's search graph gives the gated classifier's logits and the selector decoder's
 * last feature map (read through all three scales) of PyTorch's float64 values to 1e-5, and the raw RBF parameters
 * (a 32x32x32-term sum that cancels) within twice float32 PyTorch's own error on them of PyTorch's to 1e-5. The 2.3 M parameters are a formula of name and index
 * evaluated on both sides ({@link #formula}), so the fixture holds inputs and outputs only.
 */
class IspMobileNetV2ParityTest {

    @Test
    void gatedClassifierAndSelectorMatchPyTorch() throws Exception {
        Fixture fx = new Fixture("/isp/mobilenet");
        IspGraphs.Spec spec = new IspGraphs.Spec(0, 10, 32, 1.0, false, IspGraphs.Arch.MOBILENET_V2);
        Model m = IspSearch.search(spec, IspSearch.GateMode.DECISION, IspSearch.GateGenerator.SIMPLE, 0);
        List<String> names;
        try (InputStream in = getClass().getResourceAsStream("/isp/mobilenet/names.txt")) {
            names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        Map<String, Value> inits = m.graph().initializers();
        for (String line : names) {
            String[] f = line.split(" ");
            Value init = inits.get(f[0]);
            assertNotNull(init, "the graph has no initializer " + f[0]);
            long[] dims = Arrays.stream(f[1].split(",")).mapToLong(Long::parseLong).toArray();
            assertEquals(Arrays.toString(dims), Arrays.toString(init.constValue().dims()), f[0]);
            init.setConstValue(formula(f[0], dims));
        }
        // the decision (theta + 3 >= 0) opens exactly the fixture's gates
        float[] gates = fx.get("gates").toFloats();
        IspSearch.Layout layout = IspSearch.Layout.of(spec);
        assertEquals(layout.total(), gates.length);
        int k = 0;
        for (int l = 0; l < layout.layers(); l++) {
            float[] theta = new float[(int) layout.widths()[l]];
            for (int c = 0; c < theta.length; c++) {
                theta[c] = gates[k++] > 0.5f ? 1f : -10f;
            }
            inits.get(IspSearch.P_LIST + "." + l + ".weight").setConstValue(Tensor.ofFloats(new long[] {theta.length},
                    theta));
        }
        Value up1 = m.graph().nodes().stream().filter(n -> n.opType().equals("Conv")
                && n.inputs().get(1).name().equals("selector.saliency_chans.weight")).findFirst().orElseThrow()
                .inputs().get(0);
        m.graph().addOutput(up1);
        Map<String, float[]> out = OrtParity.runFloats(m, Map.of("input", fx.get("x"), TrainStep.LABELS, fx.get("y")),
                OrtParity.Settings.EXACT);
        assertClose(IspSearch.GATES, fx.get("gates"), out.get(IspSearch.GATES), 0);
        assertClose("logits", fx.get("logits"), out.get("logits"), IspRbfParityTest.FORWARD);
        assertClose("decoder output", fx.get("up1"), out.get(up1.name()), IspRbfParityTest.FORWARD);
        // the last sum cancels: float32 PyTorch is f32_error from the float64 value; Lathe is held to twice that
        double f32 = fx.get("f32_error").toFloats()[0];
        assertClose("saliency_params", fx.get("saliency_params"), out.get(IspGraphs.SALIENCY_PARAMS), 2 * f32);
    }

    /** generate.py's formula(): a sine of the flat index with a phase from the name, scaled by the tensor's role. */
    static Tensor formula(String name, long[] dims) {
        int n = (int) Tensor.numel(dims);
        long h = 0;
        for (int k = 0; k < name.length(); k++) {
            h += (long) (k + 1) * name.charAt(k);
        }
        h %= 1000;
        float[] w = new float[n];
        double scale = dims.length > 1 && !name.endsWith("embedding.weight") ? Math.sqrt(6.0 / (n / dims[0])) : 1;
        for (int i = 0; i < n; i++) {
            double v = Math.sin(0.917 * i + 0.31 * h);
            if (name.endsWith("running_var")) {
                v = 1.0 + 0.5 * v;
            } else if (name.endsWith("running_mean") || name.endsWith("bias")) {
                v = 0.1 * v;
            } else if (dims.length == 1) {
                v = 1.0 + 0.2 * v;
            } else {
                v = scale * v;
            }
            w[i] = (float) v;
        }
        return Tensor.ofFloats(dims, w);
    }
}

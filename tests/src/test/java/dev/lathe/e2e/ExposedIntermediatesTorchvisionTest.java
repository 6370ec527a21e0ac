package dev.lathe.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.io.Npy;
import dev.lathe.runtime.ort.OrtRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What calibration needs from the runtime, on a torch.onnx export: every ReLU activation exposed as an output of
 * one session, read in one run, while the logits stay PyTorch's.
 */
class ExposedIntermediatesTorchvisionTest {

    @Test
    void everyReluActivationOfAResNetInOneRun() throws IOException {
        Path dir = LatheRunTorchvisionTest.fixtures();
        Path file = dir.resolve("resnet18_narrow_op17.onnx");
        Model model = Onnx.load(file);
        List<String> relus = new ArrayList<>();
        for (Node n : model.graph().nodes()) {
            if (n.opType().equals("Relu")) {
                relus.add(n.output(0).name());
            }
        }
        assertTrue(relus.size() >= 8, "a ResNet-18 has at least 8 ReLUs, found " + relus.size());
        HostTensor input = Npy.read(dir.resolve("resnet18_narrow_input.npy"));
        HostTensor expected = Npy.read(dir.resolve("resnet18_narrow_op17_output.npy"));
        try (Session s = OrtRuntime.cpu().open(ModelSource.file(file),
                SessionConfig.defaults().withThreads(1, 0).withExposedIntermediates(relus));
             Outputs out = s.run(Map.of("input", input))) {
            assertEquals(relus.size() + 1, out.size());
            float[] logits = out.get("logits").toFloats();
            float[] ref = expected.toFloats();
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], logits[i], 1e-4, "logit " + i);
            }
            for (String r : relus) {
                HostTensor act = out.get(r);
                assertEquals(4, act.rank(), r);
                assertEquals(input.shape()[0], act.shape()[0], r + " batch");
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                for (float v : act.toFloats()) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                assertTrue(min >= 0 && max > 0, r + " is a ReLU output: range " + min + ".." + max);
            }
        }
        assertArrayEquals(new long[] {2, 10}, expected.shape());
    }
}

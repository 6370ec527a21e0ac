package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Graph;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.validate.ModelValidator;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.io.Npy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real torch.onnx exports (opsets 13 and 17, symbolic batch "N") type-check, and the shape of every intermediate
 * value that Lathe infers equals the shape ONNX Runtime produces at batch 2; the untransformed graph reproduces
 * PyTorch's outputs.
 */
class TorchvisionInferenceTest {
    @Test
    void everyIntermediateShapeMatchesOnnxRuntime() throws Exception {
        for (String key : TorchvisionFixtures.smallModels()) {
            JsonNode ref = TorchvisionFixtures.manifest().get(key);
            Model m = Onnx.load(TorchvisionFixtures.dir().resolve(ref.get("file").asText()));
            assertEquals(List.of(), ModelValidator.check(m), key);
            Graph g = m.graph();
            assertEquals(Shape.of("N", 10), g.outputs().get(0).shape(), key + " logits keep the symbolic batch");
            Map<String, Value> checked = new HashMap<>();
            for (Node n : g.nodes()) {
                for (Value v : n.outputs()) {
                    if (!g.outputs().contains(v)) {
                        g.addOutput(v);
                    }
                    checked.put(v.name(), v);
                }
            }
            HostTensor input = Npy.read(TorchvisionFixtures.dir().resolve(ref.get("input_file").asText()));
            HostTensor expected = Npy.read(TorchvisionFixtures.dir().resolve(ref.get("output_file").asText()));
            Map<String, Tensor> r = OrtParity.run(m, Map.of(ref.get("input").asText(),
                    Tensor.ofFloats(input.shape(), input.toFloats())), OrtParity.Settings.ORT_DEFAULTS);
            int compared = 0;
            for (Map.Entry<String, Tensor> e : r.entrySet()) {
                Value v = checked.get(e.getKey());
                long[] actual = e.getValue().dims();
                Shape inferred = v.shape();
                String where = key + ": " + v.producer() + " -> " + v.name() + " ORT " + java.util.Arrays
                        .toString(actual) + " inferred " + inferred;
                assertEquals(actual.length, inferred.rank(), where);
                for (int i = 0; i < actual.length; i++) {
                    Dim d = inferred.get(i);
                    assertFalse(d instanceof Dim.Unknown, where);
                    assertEquals(actual[i], d instanceof Dim.Symbolic ? input.shape()[0] : d.size(), where);
                }
                compared++;
            }
            assertEquals(checked.size(), compared, key);
            float[] got = r.get(ref.get("output").asText()).toFloats();
            float[] want = expected.toFloats();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4 + 1e-4 * Math.abs(want[i]), key + " logit " + i);
            }
            assertTrue(checked.size() > 10, key);
        }
    }
}

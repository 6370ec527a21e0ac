package dev.lathe.graph.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** x.detach(): d/dx sum(x * stop(x)) is stop(x) = x, not 2x; the marked Identity runs as one in ORT. */
class StopGradientTest {
    @Test
    void stoppedFactorIsAConstantForTheGradient() throws Exception {
        GraphBuilder b = new GraphBuilder("stop", 17);
        Ops o = b.ops();
        Value x = b.input("x", DataType.FLOAT, 3L);
        Value loss = o.reduceSum(o.mul(x, Autodiff.stopGradient(o, x)), false);
        b.output(loss, "loss");
        b.output(Autodiff.gradients(b.graph(), 17, loss, List.of(x)).get(x), "grad");
        Model m = b.build();
        float[] xs = {1f, -2f, 3f};
        Map<String, float[]> out = OrtParity.runFloats(m, Map.of("x", Tensor.ofFloats(new long[] {3}, xs)),
                OrtParity.Settings.EXACT);
        assertArrayEquals(new float[] {14f}, out.get("loss"));
        assertArrayEquals(xs, out.get("grad"));
        // the marker survives serialisation, so a saved step graph keeps its meaning
        Model back = dev.lathe.graph.serde.Onnx.fromBytes(dev.lathe.graph.serde.Onnx.toBytes(m), "stop");
        assertArrayEquals(new long[] {1}, new long[] {back.graph().nodes().stream()
                .filter(Autodiff::isStopGradient).count()});
    }
}

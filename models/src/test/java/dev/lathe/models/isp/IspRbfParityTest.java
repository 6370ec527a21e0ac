package dev.lathe.models.isp;

import static dev.lathe.graph.train.Fixture.assertClose;

import dev.lathe.graph.autodiff.Autodiff;
import dev.lathe.graph.build.GraphBuilder;
import dev.lathe.graph.build.Ops;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.testkit.OrtParity;
import dev.lathe.graph.train.Fixture;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ISP's RBF maps and relaxed / straight-through masks (temperature 0.1) against the PyTorch restatement of SEEDS
 * section 2 with torch's own RelaxedBernoulli (src/test/resources/isp/rbf/generate.py): values to relative error
 * 1e-5, gradients with respect to the selector's raw outputs to 1e-4.
 */
class IspRbfParityTest {
    static final double FORWARD = 1e-5;

    @Test
    void mapsAndMasksMatchPyTorch() throws Exception {
        Fixture fx = new Fixture("/isp/rbf");
        GraphBuilder b = new GraphBuilder("rbf", 17);
        Ops o = b.ops();
        Value raw = b.input("raw", DataType.FLOAT, 4L, 3L);
        Value w = b.input("w", DataType.FLOAT, 4L, 1L, 32L, 32L);
        Value uSoft = b.input("u_soft", DataType.FLOAT, 4L, 1L, 32L, 32L);
        Value uHard = b.input("u_hard", DataType.FLOAT, 4L, 1L, 32L, 32L);
        Value uCentres = b.input("u_centres", DataType.FLOAT, 4L, 3L);
        IspRbf.Geometry g = IspRbf.Geometry.CIFAR;
        Value centres = IspRbf.centres(o, raw, g);
        Value map = IspRbf.map(o, centres, g);
        Value soft = IspRbf.sample(o, map, uSoft, 0.1, false);
        Value hard = IspRbf.sample(o, map, uHard, 0.1, true);
        Value randomCentres = IspRbf.randomCentres(o, uCentres, g);
        b.output(centres, "centres");
        b.output(map, "map");
        b.output(soft, "mask_soft");
        b.output(hard, "mask_hard");
        b.output(randomCentres, "random_centres");
        b.output(IspRbf.map(o, randomCentres, g), "random_map");
        Map<String, Value> losses = Map.of("soft", soft, "hard", hard, "map", map);
        for (var e : losses.entrySet()) {
            Value loss = o.reduceSum(o.mul(e.getValue(), w), false);
            Value grad = Autodiff.gradients(b.graph(), 17, loss, List.of(raw)).get(raw);
            b.output(grad, "grad_" + e.getKey());
        }
        Model m = b.build();
        Map<String, Tensor> feeds = new HashMap<>();
        for (String n : List.of("raw", "w", "u_soft", "u_hard", "u_centres")) {
            feeds.put(n, fx.get(n));
        }
        Map<String, float[]> out = OrtParity.runFloats(m, feeds, OrtParity.Settings.EXACT);
        for (String n : List.of("centres", "map", "mask_soft", "mask_hard", "random_centres", "random_map")) {
            assertClose(n, fx.get(n), out.get(n), FORWARD);
        }
        for (String n : List.of("grad_map", "grad_soft", "grad_hard")) {
            assertClose(n, fx.get(n), out.get(n));
        }
    }
}

package dev.lathe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.ir.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every zoo model at its published configuration has the published parameter count (exact where the source gives
 * an exact count) and MACs (to the published rounding), and loads in ONNX Runtime with every optimisation on.
 * Sources: torchvision 0.14 model documentation (num_params, GFLOPS = GMACs), docs/SEEDS.md for the papers.
 */
class ZooCountsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // name, params, GMACs as published, half the published rounding step
        "resnet18, 11689512, 1.81, 0.005",
        "resnet34, 21797672, 3.66, 0.005",
        "resnet50, 25557032, 4.09, 0.005",
        "resnet101, 44549160, 7.80, 0.005",
        "resnext50_32x4d, 25028904, 4.23, 0.005",
        "mobilenet_v2, 3504872, 0.30, 0.005",
        "densenet121, 7978856, 2.83, 0.005",
        "densenet201, 20013928, 4.29, 0.005",
    })
    void publishedCounts(String name, long params, double gmacs, double tolerance) throws Exception {
        Model m = ModelZoo.get(name).build();
        assertEquals(params, Counts.params(m), name + " parameters");
        double got = Counts.macs(m) / 1e9;
        System.out.printf("%s: %d params, %.4f GMACs%n", name, Counts.params(m), got);
        assertEquals(gmacs, got, tolerance, name + " GMACs");
        OrtRunner.session(m).close();
    }
}

package dev.lathe.runtime.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Shape;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InputMismatchException;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The scheduler with stand-in sessions that record their batch sizes: each stage runs only on the images still
 * running, AnchorNet once for those past stage 0, exits and MACs per image as the thresholds say.
 */
class AnchorCascadeSchedulerTest {
    /** A session computing outputs from the input batch with a function, recording the batch sizes it saw. */
    static final class Fake implements Session {
        final List<Long> batches = new ArrayList<>();
        final TensorSpec in;
        final List<TensorSpec> outs;
        final Function<HostTensor, Map<String, HostTensor>> f;

        Fake(long size, List<String> outputs, Function<HostTensor, Map<String, HostTensor>> f) {
            this.in = new TensorSpec("x", DataType.FLOAT, Shape.of("N", 3L, size, size));
            this.outs = outputs.stream().map(n -> new TensorSpec(n, DataType.FLOAT, Shape.of("N", 2L))).toList();
            this.f = f;
        }

        @Override
        public String runtimeName() {
            return "fake";
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(in);
        }

        @Override
        public List<TensorSpec> outputs() {
            return outs;
        }

        @Override
        public Outputs run(Map<String, HostTensor> inputs) {
            return run(inputs, outs.stream().map(TensorSpec::name).toList());
        }

        @Override
        public Outputs run(Map<String, HostTensor> inputs, Collection<String> names) {
            HostTensor x = inputs.get("x");
            batches.add(x.shape()[0]);
            return new Outputs(new LinkedHashMap<>(f.apply(x)), t -> { });
        }

        @Override
        public void close() {}
    }

    /** Image i is the constant i/10; logits [10 v, 0] at stage 0 (confident for large v), [1, 0] per patch. */
    @Test
    void laterStagesRunOnlyTheImagesStillRunning() {
        int n = 6;
        Fake resized = new Fake(95, List.of("logits"), x -> {
            float[] v = x.toFloats();
            int b = (int) x.shape()[0];
            float[] out = new float[2 * b];
            for (int i = 0; i < b; i++) {
                out[2 * i] = 10 * v[i * 3 * 95 * 95];
            }
            return Map.of("logits", HostTensor.ofFloats(new long[] {b, 2}, out));
        });
        Fake anchornet = new Fake(224, List.of("features", "fc_weight", "logits"), x -> {
            int b = (int) x.shape()[0];
            float[] fea = new float[b * 2 * 17 * 17];
            for (int i = 0; i < fea.length; i++) {
                fea[i] = (i % 289) * 0.01f; // CAM rises with the flat index: the bottom-right cell first
            }
            return Map.of("features", HostTensor.ofFloats(new long[] {b, 2, 17, 17}, fea),
                    "fc_weight", HostTensor.ofFloats(new long[] {2, 2}, 1, 1, 1, 1),
                    "logits", HostTensor.ofFloats(new long[] {b, 2}, new float[2 * b]));
        });
        Fake patch = new Fake(95, List.of("logits"), x -> {
            int b = (int) x.shape()[0];
            float[] out = new float[2 * b];
            for (int i = 0; i < b; i++) {
                out[2 * i] = 1;
            }
            return Map.of("logits", HostTensor.ofFloats(new long[] {b, 2}, out));
        });
        float[] images = new float[n * 3 * 224 * 224];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(images, i * 3 * 224 * 224, (i + 1) * 3 * 224 * 224, i / 10f);
        }
        // stage confidences: sigmoid(10 v + j); image 5 (v = 0.5) is sigmoid(5) = 0.9933 at stage 0
        CascadeSettings s = CascadeSettings.of(new double[] {0.99, 0.95, 0.99, 0}, new double[] {0.3, 0.3, 0.3});
        try (AnchorCascade c = new AnchorCascade(resized, anchornet, patch, s, new long[] {100, 10, 100});
                Outputs o = c.run(Map.of("input", HostTensor.ofFloats(new long[] {n, 3, 224, 224}, images)))) {
            // image v: stage 0 conf sigmoid(10v): exits if > 0.99 -> v = 0.5 only (sigmoid(5) = 0.9933)
            // stage 1 conf sigmoid(10v + 1) > 0.95 -> 10v + 1 > 2.944 -> v >= 0.2 (images 2, 3, 4)
            // stage 2 conf sigmoid(10v + 2) > 0.99 -> 10v + 2 > 4.595 -> v >= 0.26 (none left); stage 3 keeps the rest
            assertArrayEquals(new long[] {3, 3, 1, 1, 1, 0}, o.get("exit_stage").toLongs());
            assertArrayEquals(new long[] {410, 410, 210, 210, 210, 100}, o.get("macs").toLongs());
            assertEquals(List.of(6L), resized.batches);
            assertEquals(List.of(5L), anchornet.batches);
            assertEquals(List.of(5L, 2L, 2L), patch.batches);
            assertEquals((float) (1 / (1 + Math.exp(-5))), o.get("confidence").toFloats()[5], 1e-6);
            float[] ms = o.get("exit_ms").toFloats();
            assertTrue(ms[5] <= ms[2] && ms[2] <= ms[0], java.util.Arrays.toString(ms));
            assertEquals(1, c.stats().runs());
            assertArrayEquals(new long[] {1, 3, 0, 2}, c.stats().exits());
            assertThrows(InputMismatchException.class, () -> c.run(Map.of("input",
                    HostTensor.ofFloats(new long[] {1, 3, 95, 95}, new float[3 * 95 * 95]))));
        }
    }

    @Test
    void flatIndexZeroQuirkTakesTheTopLeftCellDespiteOverlap() {
        float[] cam = new float[289];
        cam[1] = 2;
        cam[0] = 1.9f; // overlaps cell 1 almost entirely
        cam[288] = 1.8f;
        List<PatchSelection.Box> quirk = PatchSelection.select(cam, 17, 95, 8, 2, new double[] {0.3}, true);
        List<PatchSelection.Box> plain = PatchSelection.select(cam, 17, 95, 8, 2, new double[] {0.3}, false);
        assertEquals(new PatchSelection.Box(0, 0, 94, 94), quirk.get(1));
        assertEquals(new PatchSelection.Box(128, 128, 222, 222), plain.get(1));
        assertEquals((86.0 * 94) / (2 * 94 * 94 - 86 * 94),
                new PatchSelection.Box(0, 8, 94, 102).iou(new PatchSelection.Box(0, 0, 94, 94)), 1e-12);
    }
}

package dev.lathe.cli.dynamic;

import dev.lathe.cli.Provenance;
import dev.lathe.converter.deploy.Bundle;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.Preprocessing;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import dev.lathe.runtime.dynamic.ExitResult;
import dev.lathe.runtime.dynamic.ExitTable;
import dev.lathe.runtime.dynamic.ParetoFront;
import dev.lathe.runtime.dynamic.StageCosts;
import dev.lathe.runtime.dynamic.ThresholdSearch;
import dev.lathe.serve.CascadeBundle;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's dynamic-inference step: a small AnchorNet cascade (the zoo's AnchorNet, MobileNetV2 at 95x95 as the
 * resized and the patch net, seeded initial weights: the demo trains no 224x224 model) over synthetic 224x224 images.
 * With untrained nets the labels are the full cascade's own predictions, so "accuracy" is agreement with running
 * every stage, the quantity early exit trades against MACs. Table, grid search, front (printed and plotted).
 */
public final class DynamicDemo {
    private DynamicDemo() {}

    /** What the step made: its one-line summary and the cascade bundle at the chosen front setting. */
    public record Result(String summary, Path bundle, double[] thresholds) {}

    /**
     * Runs the step; packs the cascade at the cheapest front setting that agrees with all stages on at least 90% of
     * the images as a bundle {@code out/cascade} (AnchorNet carries the ImageNet 224 preprocessing).
     */
    public static Result run(InferenceRuntime runtime, int threads, boolean quick, Path out, PrintStream print)
            throws IOException {
        int stages = 5;
        SyntheticDataset data = new SyntheticDataset(10, 3, 224, quick ? 2 : 6, 1, 0, 1);
        Model anchor = ModelZoo.get("anchornet").build(new ZooConfig(10, 224, 0));
        Model resized = ModelZoo.get("mobilenet_v2").build(new ZooConfig(10, 95, 1));
        Model patch = ModelZoo.get("mobilenet_v2").build(new ZooConfig(10, 95, 2));
        CascadeSettings settings = CascadeSettings.of(new double[stages], new double[] {0.3, 0.3, 0.3, 0.3});
        SessionConfig config = SessionConfig.defaults().withDevice(runtime.defaultDevice()).withThreads(threads, 1);
        int n = data.size();
        float[] images = new float[n * 3 * 224 * 224];
        FloatBuffer fb = FloatBuffer.wrap(images);
        for (int i = 0; i < n; i++) {
            data.fill(i, fb);
        }
        ExitTable table;
        double[] gmacs = new double[stages];
        try (AnchorCascade cascade = AnchorCascade.open(runtime, config, anchor, resized, patch, settings)) {
            AnchorCascade.Trace trace = cascade.trace(HostTensor.ofFloats(new long[] {n, 3, 224, 224}, images));
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = trace.prediction(i, stages - 1);
            }
            table = trace.table(labels);
            for (int j = 0; j < stages; j++) {
                gmacs[j] = cascade.stageMacs(j) / 1e9;
            }
        }
        new ExitTableFile(table, "demo_mobilenet_v2_95_[0.3, 0.3, 0.3, 0.3]", gmacs).write(out.resolve(
                "dynamic_table.pth"));
        double[] grid = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};
        List<ExitResult> all = ThresholdSearch.sweep(table, new StageCosts(gmacs), Collections.nCopies(stages - 1, grid));
        List<ExitResult> front = ParetoFront.of(all);
        Path csv = out.resolve("dynamic_front.csv");
        AtomicFiles.write(csv, tmp -> Files.writeString(tmp, DynamicSearchCommand.csv(front, stages),
                StandardCharsets.UTF_8));
        Path png = out.resolve("dynamic_front.png");
        FrontChart.write(png, "demo cascade: agreement with all 5 stages vs GMACs", front, List.of(), null);
        print.printf("    %-30s %9s %8s%n", "thresholds", "agreement", "GMACs");
        for (ExitResult r : front) {
            print.printf("    %-30s %9s %8s%n", DynamicFlags.list(r.thresholds()), DynamicFlags.fixed(r.accuracy(), 3),
                    DynamicFlags.fixed(r.averageMacs(), 4));
        }
        ExitResult chosen = front.stream().filter(r -> r.accuracy() >= 0.9)
                .min(java.util.Comparator.comparingDouble(ExitResult::averageMacs)).orElse(front.get(front.size() - 1));
        Path bundle = pack(anchor, resized, patch, settings.withExitThresholds(chosen.thresholds()), gmacs, out);
        return new Result(String.format("%d images, %d settings searched, %d on the front (all stages %.3f GMACs),"
                + " wrote %s, %s, cascade bundle %s at %s", n, all.size(), front.size(), gmacs[stages - 1], png, csv,
                bundle, DynamicFlags.list(chosen.thresholds())), bundle, chosen.thresholds());
    }

    private static Path pack(Model anchor, Model resized, Model patch, CascadeSettings settings, double[] gmacs,
            Path out) throws IOException {
        ModelMetadata.set(anchor, ModelMetadata.PREPROCESSING, Preprocessing.imagenet(224).toJson());
        Map<String, Model> models = Map.of("anchornet", anchor, "resized", resized, "patch", patch);
        List<Bundle.Entry> entries = new ArrayList<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (String role : CascadeBundle.ROLES) {
            Path f = out.resolve("cascade_" + role + ".onnx");
            Onnx.save(models.get(role), f);
            entries.add(new Bundle.Entry(role, f));
            names.put(role, role);
        }
        Path bundle = out.resolve("cascade");
        AtomicFiles.deleteTree(bundle); // an earlier demo run's
        Bundle.write(entries, bundle, "demo_cascade", Preprocessing.imagenet(224).toJson(), List.of(),
                CascadeBundle.extra(names, settings, gmacs), false, Provenance.version());
        for (Bundle.Entry e : entries) {
            Files.delete(e.file());
        }
        return bundle;
    }
}

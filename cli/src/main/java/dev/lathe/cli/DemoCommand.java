package dev.lathe.cli;

import dev.lathe.calibration.data.DatasetSamples;
import dev.lathe.calibration.method.CalibrationMethod;
import dev.lathe.calibration.method.CalibrationRange;
import dev.lathe.calibration.quant.QdqPlan;
import dev.lathe.calibration.quant.QuantOptions;
import dev.lathe.calibration.quant.QuantTarget;
import dev.lathe.calibration.quant.Quantizer;
import dev.lathe.calibration.stats.Calibration;
import dev.lathe.cli.dynamic.DynamicDemo;
import dev.lathe.converter.deploy.Bundle;
import dev.lathe.converter.deploy.TritonConfig;
import dev.lathe.converter.deploy.TritonRepository;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.validate.ModelValidator;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.importance.Criterion;
import dev.lathe.pruning.importance.ImportanceOptions;
import dev.lathe.pruning.importance.Importances;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.bench.BenchmarkConfig;
import dev.lathe.runtime.bench.BenchmarkResult;
import dev.lathe.runtime.bench.InferenceBenchmark;
import dev.lathe.runtime.bench.RandomInputs;
import dev.lathe.runtime.data.Interpolation;
import dev.lathe.runtime.data.Preprocessing;
import dev.lathe.runtime.data.SyntheticDataset;
import dev.lathe.runtime.train.EpochMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe demo}: the whole pipeline on the embedded synthetic dataset, on CPU, in minutes. Each stage uses
 * the same library calls as its own subcommand and prints what it measured; artefacts land in {@code --out}.
 */
public final class DemoCommand implements Command {

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "run the whole pipeline (author, train, prune (CIC and ISP), fine-tune, quantize, benchmark, early exit,"
                + " package) on synthetic data, CPU, minutes";
    }

    @Override
    public String usage() {
        return "[--out DIR] [--threads T] [--runtime NAME] [--quick]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                .desc("folder for the demo's models and reports (default lathe-demo)").build());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
                .desc("intra-op threads for ONNX Runtime (default 2)").build());
        o.addOption(SessionFlags.runtimeOption());
        o.addOption(Option.builder().longOpt("quick").desc("shortest settings (used by the test suite)").build());
        return o;
    }

    /** The demo's flags, parsed once. */
    record Request(Path out, int threads, boolean quick) {
        static Request parse(CommandLine cmd) {
            return new Request(Path.of(cmd.getOptionValue("out", "lathe-demo")),
                    Flags.threads(cmd, 2),
                    cmd.hasOption("quick"));
        }
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        Request req = Request.parse(cmd);
        Path out = req.out();
        int threads = req.threads();
        boolean quick = req.quick();
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        OutputPaths.folder(out, true);
        Stage stage = new Stage(ctx);

        stage.begin("author", "build cifar_resnet56 (ISP's CIFAR ResNet-56) with the Java builder DSL");
        Model model = ModelZoo.get("cifar_resnet56").build(new ZooConfig(10, 32, 0));
        ModelValidator.validate(model);
        Path modelFile = out.resolve("cifar_resnet56.onnx");
        Onnx.save(model, modelFile);
        stage.done("wrote " + modelFile + " (" + Files.size(modelFile) / 1024 + " KiB), validated");

        stage.begin("inspect", "count parameters and MACs as the papers do");
        ModelCount count = ModelCounter.count(Onnx.load(modelFile));
        stage.done(String.format("%,d params, %.1f M MACs per image, %d layers", count.params(),
                count.macs() / 1e6, count.layers().size()));

        stage.begin("train", "SGD in one ONNX Runtime graph (Java autodiff) on synthetic long-tailed data, "
                + "logit-adjusted loss (CIC's recipe)");
        TrainFlags.SyntheticSpec data = new TrainFlags.SyntheticSpec(10, 32, quick ? 24 : 120, quick ? 4 : 20, 10, 0);
        SyntheticDataset train = data.train();
        SyntheticDataset val = data.val();
        Model forward = ModelZoo.get("cifar_resnet56").build(new ZooConfig(10, 32, 0));
        Path trainedFile = out.resolve("cifar_resnet56_trained.onnx");
        EpochMetrics trained = new TrainRecipe(quick ? 1 : 8, quick ? 0 : 1, 32, 0.05, threads)
                .run(forward, train, val, out.resolve("train"), trainedFile, ctx.err()).last();
        stage.done(describe(trained) + ", wrote " + trainedFile);

        stage.begin("bench", "ONNX Runtime CPU, batch 8, trtexec-style timing");
        BenchmarkResult bench = bench(runtime, trainedFile, threads, quick);
        stage.done(String.format("median %.2f ms, p95 %.2f ms, %.1f images/s", bench.medianMs(), bench.p95Ms(),
                bench.throughput()));

        stage.begin("prune", "CIC (class-wise Taylor, mean - std over classes) to 60% of the MACs, by graph surgery");
        Model pruned = Onnx.load(trainedFile);
        Criterion cic = Importances.byName("cic", ImportanceOptions.defaults()
                .withGradients(new ProbeGradients(data, 16, runtime, runtime.defaultDevice())));
        Pruner.Result cut = Pruner.prune(pruned, cic, new PlanOptions(0, 0.6, 0, true, 4, 0.9), Set.of());
        Path prunedFile = out.resolve("cifar_resnet56_pruned.onnx");
        Onnx.save(pruned, prunedFile);
        PruneReport.printTable(cut.before(), cut.after(), ctx.out());
        stage.done(String.format("params %,d -> %,d, MACs %.1f M -> %.1f M, wrote %s", cut.before().params(),
                cut.after().params(), cut.before().macs() / 1e6, cut.after().macs() / 1e6, prunedFile));

        stage.begin("finetune", "the pruned graph, same trainer, lower learning rate");
        Path finetunedFile = out.resolve("cifar_resnet56_pruned_finetuned.onnx");
        EpochMetrics tuned = new TrainRecipe(quick ? 1 : 3, 0, 32, 0.01, threads)
                .run(TrainFlags.fromFile(prunedFile), train, val, out.resolve("finetune"), finetunedFile, ctx.err())
                .last();
        stage.done(describe(tuned) + ", wrote " + finetunedFile);

        stage.begin("isp", "ISP (saliency-steered pruning) on the same trained model to 60% of the MACs: predictor,"
                + " selector, gate search, cut; then the same fine-tune as CIC's");
        Path ispDir = out.resolve("isp");
        AtomicFiles.deleteTree(ispDir); // an earlier demo run's
        String[] common = {"--onnx", trainedFile.toString(), "--data", data.spec(), "--threads",
            String.valueOf(threads), "-o", ispDir.toString()};
        String batch = quick ? "32" : "128"; // the quick demo's 95 training images are fewer than ISP's 128
        String[][] ispStages = {
            {"isp", "predictor", "--epochs", quick ? "1" : "3", "--batch", batch},
            {"isp", "selector", "--epochs", "1"},
            {"isp", "search", "--epochs", quick ? "1" : "2", "--batch", batch, "--target-flops", "0.6"},
            {"isp", "prune"}};
        for (String[] ispStage : ispStages) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(ispStage),
                    java.util.Arrays.stream(common)).toArray(String[]::new);
            ctx.out().println("    $ lathe " + String.join(" ", args));
            int rc = Main.run(args, ctx.out(), ctx.err());
            if (rc != 0) {
                throw new IllegalStateException("lathe " + String.join(" ", ispStage) + " exited " + rc);
            }
        }
        Path ispFile = out.resolve("cifar_resnet56_isp_finetuned.onnx");
        EpochMetrics ispTuned = new TrainRecipe(quick ? 1 : 3, 0, 32, 0.01, threads)
                .run(TrainFlags.fromFile(ispDir.resolve("prune").resolve("pruned.onnx")), train, val,
                        ispDir.resolve("finetune"), ispFile, ctx.err()).last();
        ModelCount ispCount = ModelCounter.count(Onnx.load(ispFile));
        stage.done(String.format("MACs %.1f M -> %.1f M; after the same fine-tune: val top-1 %s (CIC: %s), wrote %s",
                cut.before().macs() / 1e6, ispCount.macs() / 1e6, percent(ispTuned.valTop1()),
                percent(tuned.valTop1()), ispFile));

        stage.begin("bench", "the pruned model, same settings");
        BenchmarkResult benchPruned = bench(runtime, finetunedFile, threads, quick);
        stage.done(String.format("median %.2f ms, %.1f images/s: %.2fx the unpruned throughput",
                benchPruned.medianMs(), benchPruned.throughput(), benchPruned.throughput() / bench.throughput()));

        stage.begin("quantize", "calibrate on the validation images (percentile 99.999, no labels), INT8 Q/DQ for"
                + " ORT CPU, checked on " + (quick ? 200 : 1000) + " validation images");
        Path int8File = out.resolve("cifar_resnet56_pruned_int8.onnx");
        SessionConfig quantConfig = SessionConfig.defaults().withDevice(runtime.defaultDevice()).withThreads(threads, 1);
        Model prepared = QdqPlan.prepare(Onnx.load(finetunedFile));
        Calibration.Result calibrated = Calibration.collect(runtime, quantConfig, prepared,
                QdqPlan.calibrationTensors(prepared), new DatasetSamples(val, quick ? 64 : 512, 32, 0));
        Map<String, CalibrationRange> ranges = Quantizer.ranges(calibrated.stats(), CalibrationMethod.PERCENTILE,
                CalibrationMethod.DEFAULT_PERCENTILE, false);
        SyntheticDataset checkSet = new TrainFlags.SyntheticSpec(10, 32, 1, quick ? 20 : 100, 10, 0).val();
        Quantizer.Result quantized = Quantizer.quantize(runtime, quantConfig, prepared, ranges,
                new Quantizer.Request(QuantOptions.of(QuantTarget.ORT_CPU), Double.NaN, true),
                new DatasetSamples(checkSet, checkSet.size(), 50, 0), new DatasetSamples(val, 16, 8, 0));
        QuantizeCommand.writeMetadata(quantized.model(), QuantOptions.of(QuantTarget.ORT_CPU), "percentile", ranges,
                quantized);
        Onnx.save(quantized.model(), int8File);
        QuantizeCommand.report(ctx.out(), prepared, quantized, false);
        stage.done(String.format("%d tensors calibrated on %d images, wrote %s (%d KiB)", ranges.size(),
                calibrated.samples(), int8File, Files.size(int8File) / 1024));

        stage.begin("bench", "the INT8 model, same settings");
        BenchmarkResult benchInt8 = bench(runtime, int8File, threads, quick);
        stage.done(String.format("median %.2f ms, %.1f images/s: %.2fx the pruned FP32 throughput",
                benchInt8.medianMs(), benchInt8.throughput(), benchInt8.throughput() / benchPruned.throughput()));

        stage.begin("dynamic", "AnchorNet early-exit cascade on synthetic 224x224 images: table, threshold search,"
                + " accuracy-vs-GMACs front");
        DynamicDemo.Result dynamic = DynamicDemo.run(runtime, threads, quick, out, ctx.out());
        stage.done(dynamic.summary());
        stage.begin("deploy", "the INT8 model, self-describing -> bundle (SHA-256 manifest) and Triton repository -> lathe infer");
        deploy(int8File, dynamic.bundle(), out, ctx);
        stage.done("packaged and classified through the bundle");

        ctx.out().println();
        ctx.out().println("demo finished: artefacts in " + out.toAbsolutePath());
        return 0;
    }

    /**
     * The last stage: the final (INT8) model gets its name, preprocessing (the CIFAR recipe's mean/std after a resize
     * to 36 and a 32x32 centre crop, so a photo of any size fits) and labels, is packed as a bundle and as a Triton
     * model, and classifies the committed photo of Chelsea the cat through {@code lathe infer} on the bundle. The
     * demo trains on synthetic classes, so the answer shows the path, not a cat detector.
     */
    private static void deploy(Path finalFile, Path cascade, Path out, CliContext ctx) throws Exception {
        Model m = Onnx.load(finalFile);
        m.metadataProps().put(ModelMetadata.NAME, "cifar_resnet56_demo");
        Preprocessing cifar = Preprocessing.cifar(32);
        m.metadataProps().put(ModelMetadata.PREPROCESSING, new Preprocessing(36, Interpolation.BILINEAR, 32, 32,
                cifar.mean(), cifar.std(), "RGB", "NCHW").toJson());
        java.util.List<String> labels = new java.util.ArrayList<>();
        for (int c = 0; c < 10; c++) {
            labels.add("synthetic_" + c);
        }
        ModelMetadata.setLabels(m, labels);
        Provenance.stamp(m, ctx);
        Path deployable = out.resolve("cifar_resnet56_deploy.onnx");
        Onnx.save(m, deployable);
        Path bundle = out.resolve("bundle");
        Path repo = out.resolve("triton");
        AtomicFiles.deleteTree(bundle); // artefacts of an earlier demo run in the same folder
        Files.deleteIfExists(out.resolve("bundle.zip"));
        Bundle.write(java.util.List.of(deployable), bundle, null, null, true, Provenance.version());
        Bundle.open(bundle);
        OutputPaths.folder(repo, true);
        Path modelDir = TritonRepository.write(deployable, m, repo, new TritonConfig.Options("cifar_resnet56_demo", 32,
                1, TritonConfig.Kind.CPU, true, 500, false, null, null), null, true);
        Path photo = out.resolve("chelsea.jpg");
        try (java.io.InputStream in = DemoCommand.class.getResourceAsStream("demo/chelsea.jpg")) {
            Files.copy(in, photo, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        ctx.out().println("    bundle " + bundle + " (+ .zip), Triton model " + modelDir);
        ctx.out().println("    $ lathe infer " + bundle + " " + photo + " --top-k 3");
        int rc = Main.run(new String[] {"infer", bundle.toString(), photo.toString(), "--top-k", "3", "--threads", "2"},
                ctx.out(), ctx.err());
        if (rc != 0) {
            throw new IllegalStateException("lathe infer on the demo bundle exited " + rc);
        }
        ctx.out().println("    the early-exit cascade as one bundle (untrained nets: the path, not the answer):");
        ctx.out().println("    $ lathe infer " + cascade + " " + photo + " --top-k 1");
        rc = Main.run(new String[] {"infer", cascade.toString(), photo.toString(), "--top-k", "1", "--threads", "2"},
                ctx.out(), ctx.err());
        if (rc != 0) {
            throw new IllegalStateException("lathe infer on the demo cascade bundle exited " + rc);
        }
    }

    private static String describe(EpochMetrics m) {
        return String.format("epoch %d: train loss %.3f, val top-1 %s (many %s, medium %s, few %s), %.1f images/s",
                m.epoch(), m.trainLoss(), percent(m.valTop1()), percent(m.many()), percent(m.medium()),
                percent(m.few()), m.imagesPerSecond());
    }

    /** Many/medium/few are NaN when no class falls in the group. */
    private static String percent(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.1f%%", 100 * v);
    }

    private static BenchmarkResult bench(InferenceRuntime runtime, Path modelFile, int threads, boolean quick) {
        BenchmarkConfig config = quick ? BenchmarkConfig.defaults().withWarmupMillis(50).withMinIterations(3)
                .withMinDurationMillis(200) : BenchmarkConfig.defaults();
        try (Session s = runtime.open(ModelSource.file(modelFile),
                SessionConfig.defaults().withDevice(runtime.defaultDevice()).withThreads(threads, 1))) {
            Map<String, HostTensor> inputs = RandomInputs.forSpecs(s.inputs(), 8, 0);
            return new InferenceBenchmark(config).run(s, inputs, 8, modelFile.getFileName().toString());
        }
    }

    /** Prints numbered stages with their wall time. */
    private static final class Stage {
        private final CliContext ctx;
        private int index;
        private long start;

        Stage(CliContext ctx) {
            this.ctx = ctx;
        }

        void begin(String name, String what) {
            index++;
            start = System.nanoTime();
            ctx.out().printf("[%d] %-8s %s%n", index, name, what);
        }

        void done(String result) {
            ctx.out().printf("    -> %s  (%.1f s)%n", result, (System.nanoTime() - start) / 1e9);
        }
    }
}

package dev.lathe.cli;

import dev.lathe.calibration.data.CalibrationData;
import dev.lathe.calibration.data.DatasetSamples;
import dev.lathe.calibration.data.NpyBatches;
import dev.lathe.calibration.method.CalibrationMethod;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Shape;
import dev.lathe.runtime.HostTensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** The calibration flags shared by calibrate and quantize: data, method and how many images. */
final class CalibrationFlags {
    static final int DEFAULT_SAMPLES = 512;
    static final int DEFAULT_BATCH = 4;

    private CalibrationFlags() {}

    /** What the flags say; {@code data} is null when --data was not given. */
    record Settings(CalibrationData data, CalibrationMethod method, double percentile, boolean symmetric,
            String spec, int samples, long seed) {
        /** The first {@code samples} of the same images in batches of {@code batch}, or null without --data. */
        CalibrationData subset(int samples, int batch) throws IOException {
            return data == null ? null : CalibrationFlags.data(spec, Math.min(samples, this.samples), batch, seed);
        }
    }

    static Options add(Options o) {
        o.addOption(Option.builder().longOpt("data").hasArg().argName("SPEC").desc("calibration images: the specs of"
                + " lathe train (their evaluation pipeline; labels unused), or npy:DIR, a folder of float32 .npy"
                + " batches [N, ...] preprocessed as the model expects").build());
        o.addOption(Option.builder().longOpt("method").hasArg().argName("NAME").desc("percentile (default, "
                + CalibrationMethod.DEFAULT_PERCENTILE + "), entropy (TensorRT's KL search, symmetric), minmax, mse"
                + " (symmetric)").build());
        o.addOption(Option.builder().longOpt("percentile").hasArg().argName("P")
                .desc("for --method percentile: share of values inside the range, in (0, 100] (default "
                        + CalibrationMethod.DEFAULT_PERCENTILE + ")").build());
        o.addOption(Option.builder().longOpt("symmetric").desc("minmax and percentile: a range symmetric about 0"
                + " (default: asymmetric, the observed sides)").build());
        o.addOption(Option.builder().longOpt("samples").hasArg().argName("N")
                .desc("images to calibrate on (default " + DEFAULT_SAMPLES + ")").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B")
                .desc("images per run (default " + DEFAULT_BATCH + "); memory holds one batch of activations").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S")
                .desc("which images a dataset contributes (a seeded shuffle; default 0)").build());
        return o;
    }

    static Settings parse(CommandLine cmd) throws IOException {
        CalibrationMethod method;
        try {
            method = CalibrationMethod.parse(cmd.getOptionValue("method", "percentile"));
        } catch (IllegalArgumentException e) {
            throw new UserError("--method: " + e.getMessage());
        }
        double percentile = Flags.doubleIn(cmd, "percentile", 0, false, 100, true, CalibrationMethod.DEFAULT_PERCENTILE);
        if (cmd.hasOption("percentile") && method != CalibrationMethod.PERCENTILE) {
            throw new UserError("--percentile applies to --method percentile, not " + method.label());
        }
        boolean symmetric = cmd.hasOption("symmetric") || method.alwaysSymmetric();
        int samples = Flags.positiveInt(cmd, "samples", Flags.MAX_COUNT, DEFAULT_SAMPLES);
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, DEFAULT_BATCH);
        long seed = Flags.longIn(cmd, "seed", 0, Long.MAX_VALUE, 0);
        CalibrationData data = cmd.hasOption("data") ? data(cmd.getOptionValue("data"), samples, batch, seed) : null;
        return new Settings(data, method, percentile, symmetric, cmd.getOptionValue("data"), samples, seed);
    }

    /** {@code npy:DIR}, or any spec of {@link TrainFlags#datasets} (its evaluation split: no augmentation). */
    /**
     * {@code data} as the measure of {@code model}'s accuracy: its labels are kept only when the dataset has as many
     * classes as the model's first output has scores; otherwise they index other classes (e.g. a folder of a few
     * ImageNet classes against a 1000-way model), accuracy would be meaningless, and agreement alone is reported,
     * saying why on {@code p}.
     */
    static CalibrationData labelledFor(CalibrationData data, Model model, PrintStream p) {
        if (!(data instanceof DatasetSamples ds) || model.graph().outputs().isEmpty()) {
            return data;
        }
        Shape out = model.graph().outputs().get(0).shape();
        long scores = out != null && out.rank() == 2 && out.get(1).isFixed() ? out.get(1).size() : -1;
        if (scores == ds.classes()) {
            return data;
        }
        p.printf("%-11s not reported: --data has %d classes, the model's output '%s' has %s scores%n", "accuracy",
                ds.classes(), model.graph().outputs().get(0).name(), scores < 0 ? "an unknown number of" : scores);
        return new CalibrationData() {
            @Override
            public long forEachLabelled(BiConsumer<HostTensor, long[]> sink) throws IOException {
                return data.forEachLabelled((images, labels) -> sink.accept(images, null));
            }

            @Override
            public String describe() {
                return data.describe();
            }
        };
    }

    static CalibrationData data(String spec, int samples, int batch, long seed) throws IOException {
        try {
            if (spec.startsWith("npy:")) {
                return new NpyBatches(Path.of(spec.substring("npy:".length())), samples, batch);
            }
            return new DatasetSamples(TrainFlags.datasets(spec).val(), samples, batch, seed);
        } catch (IllegalArgumentException e) {
            throw new UserError("--data '" + spec + "': " + e.getMessage());
        }
    }
}

package dev.lathe.cli;


import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.train.Optimizer;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.models.ZooEntry;
import dev.lathe.runtime.data.DataSpec;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.data.SyntheticDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.cli.CommandLine;

/** Parsing shared by {@code train}, {@code eval} and {@code bench train}: model source and synthetic data spec. */
public final class TrainFlags {
    /** Synthetic images are generated in memory: beyond this side length a typo would exhaust the heap. */
    static final int MAX_SYNTHETIC_SIZE = 1024;

    private TrainFlags() {}

    /** The synthetic data spec "synthetic[:classes=10,size=32,per-class=100,val-per-class=20,imbalance=1,seed=0]". */
    record SyntheticSpec(int classes, int size, int perClass, int valPerClass, double imbalance, long seed) {
        SyntheticDataset train() {
            return new SyntheticDataset(classes, 3, size, perClass, imbalance, seed, 0);
        }

        SyntheticDataset val() {
            return new SyntheticDataset(classes, 3, size, valPerClass, 1, seed, 1);
        }

        /** The {@code --data} spec naming these sets. */
        String spec() {
            return "synthetic:classes=" + classes + ",size=" + size + ",per-class=" + perClass + ",val-per-class="
                    + valPerClass + ",imbalance=" + imbalance + ",seed=" + seed;
        }
    }

    /** A training and a validation set from {@code --data}: synthetic, or a real dataset (see {@link DataSpec}). */
    public record DataSets(Dataset train, Dataset val, dev.lathe.runtime.data.Preprocessing preprocessing) {
        public DataSets(Dataset train, Dataset val) {
            this(train, val, null);
        }

        int classes() {
            return train.numClasses();
        }

        int resolution() {
            return (int) train.imageShape()[1];
        }
    }

    public static DataSets datasets(String spec) {
        return datasets(spec, dev.lathe.runtime.data.TrainAugmentation.NONE);
    }

    /** As {@link #datasets(String)}, the training images augmented with {@code aug} (synthetic data has no images). */
    public static DataSets datasets(String spec, dev.lathe.runtime.data.TrainAugmentation aug) {
        if (isSynthetic(spec)) {
            SyntheticSpec s = synthetic(spec);
            return new DataSets(s.train(), s.val());
        }
        try {
            DataSpec d = DataSpec.parse(spec);
            return new DataSets(d.train(aug), d.val(), d.evalPreprocessing());
        } catch (IllegalArgumentException | IOException e) {
            throw new UserError("--data '" + spec + "': " + e.getMessage());
        }
    }

    static boolean isSynthetic(String spec) {
        return spec.equals("synthetic") || spec.startsWith("synthetic:");
    }

    static SyntheticSpec synthetic(String spec) {
        if (!spec.equals("synthetic") && !spec.startsWith("synthetic:")) {
            throw new UserError("--data '" + spec + "': expected "
                    + "synthetic[:classes=10,size=32,per-class=100,val-per-class=20,imbalance=1,seed=0]");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        if (spec.startsWith("synthetic:")) {
            for (String part : spec.substring("synthetic:".length()).split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw new UserError("--data: '" + part + "' is not key=value");
                }
                kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        for (String k : kv.keySet()) {
            if (!java.util.List.of("classes", "size", "per-class", "val-per-class", "imbalance", "seed").contains(k)) {
                throw new UserError("--data: unknown synthetic option '" + k + "'");
            }
        }
        String what = "--data synthetic: ";
        try {
            SyntheticSpec s = new SyntheticSpec(
                    (int) Flags.longValue(what + "classes", kv.getOrDefault("classes", "10"), 2, Flags.MAX_CLASSES),
                    (int) Flags.longValue(what + "size", kv.getOrDefault("size", "32"), 1, MAX_SYNTHETIC_SIZE),
                    (int) Flags.longValue(what + "per-class", kv.getOrDefault("per-class", "100"), 1, 1_000_000),
                    (int) Flags.longValue(what + "val-per-class", kv.getOrDefault("val-per-class", "20"), 1, 1_000_000),
                    Flags.doubleValue(what + "imbalance (the imbalance factor >= 1 of a long tail)",
                            kv.getOrDefault("imbalance", "1"), 1, true, 1e6, true),
                    Flags.longValue(what + "seed", kv.getOrDefault("seed", "0"), 0, Long.MAX_VALUE));
            s.train(); // the dataset checks its own options; building one is cheap (samples are drawn on access)
            s.val();
            return s;
        } catch (IllegalArgumentException e) { // also NumberFormatException
            throw new UserError("--data '" + spec + "': " + e.getMessage());
        }
    }

    /** The forward model of --model NAME (zoo) or --onnx FILE. */
    static Model model(CommandLine cmd, int classes, int resolution) {
        if (cmd.hasOption("model") == cmd.hasOption("onnx")) {
            throw new UserError("give exactly one of --model NAME or --onnx FILE");
        }
        if (cmd.hasOption("model")) {
            ZooEntry entry;
            try {
                entry = ModelZoo.get(cmd.getOptionValue("model"));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            ZooConfig c = entry.defaults().withClasses(classes).withResolution(resolution);
            return entry.build(c);
        }
        Path file = Path.of(cmd.getOptionValue("onnx"));
        if (!Files.isRegularFile(file)) {
            throw new UserError("--onnx " + file + ": no such file");
        }
        Model m = fromFile(file);
        requireImageSize(m, file, resolution);
        return m;
    }

    /** A model whose image input has fixed spatial dims must get images of that size from --data. */
    private static void requireImageSize(Model m, Path file, int resolution) {
        if (m.graph().inputs().isEmpty() || m.graph().inputs().get(0).shape() == null) {
            return;
        }
        Value in = m.graph().inputs().get(0);
        if (in.shape().rank() != 4) {
            return;
        }
        for (int axis = 2; axis < 4; axis++) {
            if (in.shape().get(axis) instanceof Dim.Fixed f && f.size() != resolution) {
                throw new UserError("--onnx " + file + ": input '" + in.name() + "' takes " + in.shape()
                        + " images, --data gives " + resolution + "x" + resolution + " (set the data's size to "
                        + f.size() + ", or export the model with symbolic height and width)");
            }
        }
    }

    public static Model fromFile(Path file) {
        try {
            return Onnx.load(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** --opt sgd (Nesterov, --momentum, --wd 5e-4) or adamw (--wd 0.05). */
    static Optimizer optimizer(CommandLine cmd) {
        String opt = cmd.getOptionValue("opt", "sgd");
        switch (opt) {
            case "sgd", "nesterov", "momentum" -> {
                return new Optimizer.Sgd(Flags.doubleIn(cmd, "momentum", 0, true, 1, false, 0.9),
                        !opt.equals("momentum"), weightDecay(cmd, 5e-4));
            }
            case "adamw" -> {
                return new Optimizer.AdamW(0.9, 0.999, 1e-8, weightDecay(cmd, 0.05));
            }
            default -> throw new UserError("--opt must be sgd, nesterov, momentum or adamw, got '" + opt + "'");
        }
    }

    /** --ema DECAY, 0 (off) when absent. */
    static double emaDecay(CommandLine cmd) {
        double ema = number(cmd, "ema", 0);
        if (ema < 0 || ema >= 1) {
            throw new UserError("--ema must be a decay in [0, 1), e.g. 0.9998; got " + ema);
        }
        return ema;
    }

    private static double weightDecay(CommandLine cmd, double fallback) {
        return Flags.doubleIn(cmd, "wd", 0, true, 1, true, fallback);
    }

    /** A finite number >= 0 (clip norms, loss scales and the like, which have no natural upper bound). */
    static double number(CommandLine cmd, String name, double fallback) {
        return Flags.doubleIn(cmd, name, 0, true, Double.POSITIVE_INFINITY, false, fallback);
    }
}

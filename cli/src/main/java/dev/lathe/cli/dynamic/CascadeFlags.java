package dev.lathe.cli.dynamic;

import dev.lathe.cli.Flags;
import dev.lathe.cli.SessionFlags;
import dev.lathe.cli.TrainFlags;
import dev.lathe.cli.UserError;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.data.Dataset;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import dev.lathe.runtime.io.Npy;
import dev.lathe.runtime.io.NpyFormatException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** Flags of the commands that run the real cascade ({@code dynamic table}, {@code dynamic run}): models, patches, data. */
final class CascadeFlags {
    static final int DEFAULT_BATCH = 32;

    private CascadeFlags() {}

    static void add(Options o) {
        addModels(o);
        o.addOption(Option.builder().longOpt("data").hasArg().argName("SPEC").desc("images: npy:IMAGES.npy[,LABELS.npy]"
                + " (float32/float16 [N,3,224,224] normalised crops, int64 labels), or a dataset spec of lathe train"
                + " (its validation split), e.g. synthetic:size=224,classes=10 or imagefolder:DIR").build());
        o.addOption(Option.builder().longOpt("limit").hasArg().argName("N").desc("use the first N images only").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("images per cascade run (default "
                + DEFAULT_BATCH + ")").build());
        SessionFlags.add(o);
    }

    /** The three models and the patch selection settings. */
    static void addModels(Options o) {
        o.addOption(Option.builder().longOpt("anchornet").hasArg().argName("A.onnx").desc("AnchorNet (outputs features,"
                + " fc_weight, logits; e.g. lathe zoo build anchornet)").build());
        o.addOption(Option.builder().longOpt("resized").hasArg().argName("R.onnx").desc("the net for the resized image"
                + " (input [N,3,s,s], fixed s; 95 for the authors' DenseNet-201)").build());
        o.addOption(Option.builder().longOpt("patch").hasArg().argName("P.onnx").desc("the net for the patches (input"
                + " [N,3,95,95])").build());
        o.addOption(Option.builder().longOpt("iou").hasArg().argName("T1,T2,...").desc("IoU thresholds of the patch"
                + " selection by rank (default 0.3 for every rank, the authors' setting)").build());
        o.addOption(Option.builder().longOpt("no-quirk").desc("treat the top-left cell like any other (the authors'"
                + " code takes flat index 0 unconditionally; on by default for reproduction)").build());
    }

    static Path model(CommandLine cmd, String name) {
        Path p = Flags.path(cmd, name);
        if (p == null) {
            throw new UserError("--" + name + " M.onnx is required");
        }
        if (!Files.isRegularFile(p)) {
            throw new UserError("--" + name + ": model file not found: " + p);
        }
        return p;
    }

    static double[] iou(CommandLine cmd, int patches) {
        double[] iou = cmd.hasOption("iou") ? DynamicFlags.numbers("--iou", cmd.getOptionValue("iou"), 0, 1)
                : new double[Math.max(1, patches)];
        if (!cmd.hasOption("iou")) {
            Arrays.fill(iou, 0.3);
        }
        if (iou.length < patches - 1) {
            throw new UserError("--iou has " + iou.length + " thresholds; " + patches + " patches need at least "
                    + (patches - 1) + " (one per rank after the first)");
        }
        return iou;
    }

    static Option thresholdsOption() {
        return Option.builder().longOpt("thresholds").hasArg().argName("T0,T1,...").desc("exit threshold per stage"
                + " (stage 0 the resized image, then one per patch; the last stage keeps everyone left; lathe dynamic"
                + " search finds them)").build();
    }

    /**
     * The settings of a command that runs a given cascade: no positional argument, --thresholds required, --iou,
     * --no-quirk.
     */
    static CascadeSettings requiredSettings(CommandLine cmd) {
        if (!cmd.getArgList().isEmpty()) {
            throw new UserError("unexpected argument '" + cmd.getArgList().get(0) + "'");
        }
        if (!cmd.hasOption("thresholds")) {
            throw new UserError("--thresholds T0,T1,... is required (one per stage; lathe dynamic search finds them)");
        }
        return settings(cmd, DynamicFlags.thresholds(cmd.getOptionValue("thresholds")));
    }

    /** The cascade's settings: {@code tau} per stage, --iou for the patches after the first, --no-quirk. */
    static CascadeSettings settings(CommandLine cmd, double[] tau) {
        return new CascadeSettings(tau, iou(cmd, tau.length - 1), !cmd.hasOption("no-quirk"), CascadeSettings.PATCH,
                CascadeSettings.STRIDE);
    }

    /** Opens the cascade, turning a model the cascade cannot use into one line naming the file. */
    static AnchorCascade open(CommandLine cmd, CascadeSettings settings) {
        return open(cmd, settings, Models.load(cmd));
    }

    /** The three --anchornet/--resized/--patch files and their models, each read once. */
    record Models(Path anchornetFile, Path resizedFile, Path patchFile, Model anchornet, Model resized, Model patch) {
        static Models load(CommandLine cmd) {
            Path a = model(cmd, "anchornet");
            Path r = model(cmd, "resized");
            Path p = model(cmd, "patch");
            return new Models(a, r, p, CascadeFlags.load(a), CascadeFlags.load(r), CascadeFlags.load(p));
        }
    }

    /** Opens the cascade over models already read, turning a model the cascade cannot use into one line. */
    static AnchorCascade open(CommandLine cmd, CascadeSettings settings, Models m) {
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        try {
            return AnchorCascade.open(runtime, SessionFlags.config(cmd, runtime), m.anchornet(), m.resized(),
                    m.patch(), settings);
        } catch (InferenceException | IllegalArgumentException e) {
            throw new UserError(e.getMessage() + " (models " + m.anchornetFile() + ", " + m.resizedFile() + ", "
                    + m.patchFile() + ")", e);
        }
    }

    private static Model load(Path p) {
        try {
            return Onnx.load(p);
        } catch (IOException e) {
            throw new UserError(p + ": " + e.getMessage(), e);
        }
    }

    /** Images (and labels, when known) from --data, in batches. */
    interface Images {
        int size();

        /** Null when the data has no labels. */
        long[] labels();

        HostTensor batch(int from, int to);

        String describe();
    }

    static Images images(CommandLine cmd, long height, long width) throws IOException {
        String spec = cmd.getOptionValue("data");
        if (spec == null) {
            throw new UserError("--data SPEC is required (npy:IMAGES.npy[,LABELS.npy] or a dataset spec)");
        }
        return images(spec, Flags.positiveInt(cmd, "limit", Flags.MAX_COUNT, Integer.MAX_VALUE), height, width);
    }

    /** The first {@code limit} images of {@code spec} (npy:... or a dataset spec), checked against [3, h, w]. */
    static Images images(String spec, int limit, long height, long width) throws IOException {
        if (spec.startsWith("npy:")) {
            String[] parts = spec.substring(4).split(",");
            if (parts.length > 2 || parts[0].isBlank()) {
                throw new UserError("--data npy:IMAGES.npy[,LABELS.npy], got '" + spec + "'");
            }
            HostTensor x = npy(Path.of(parts[0]));
            long[] s = x.shape();
            if (s.length != 4 || s[1] != 3 || s[2] != height || s[3] != width) {
                throw new UserError(parts[0] + ": images must be [N,3," + height + "," + width + "] (AnchorNet's input),"
                        + " got " + Arrays.toString(s));
            }
            float[] all = x.toFloats();
            int n = (int) Math.min(s[0], limit);
            long[] labels = null;
            if (parts.length == 2) {
                HostTensor y = npy(Path.of(parts[1]));
                if (y.rank() != 1 || y.shape()[0] != s[0]) {
                    throw new UserError(parts[1] + ": labels must be [" + s[0] + "], got " + Arrays.toString(y.shape()));
                }
                try {
                    labels = Arrays.copyOf(y.toLongs(), n);
                } catch (IllegalStateException e) {
                    throw new UserError(parts[1] + ": labels must be integers, got " + y.dtype());
                }
            }
            long[] lab = labels;
            int imageSize = (int) (3 * height * width);
            return new Images() {
                public int size() {
                    return n;
                }

                public long[] labels() {
                    return lab;
                }

                public HostTensor batch(int from, int to) {
                    return HostTensor.ofFloats(new long[] {to - from, 3, height, width},
                            Arrays.copyOfRange(all, from * imageSize, to * imageSize));
                }

                public String describe() {
                    return parts[0] + " (" + n + " images" + (lab == null ? ", no labels" : "") + ")";
                }
            };
        }
        Dataset val = TrainFlags.datasets(spec).val();
        long[] shape = val.imageShape();
        if (shape[0] != 3 || shape[1] != height || shape[2] != width) {
            throw new UserError("--data '" + spec + "' gives " + Arrays.toString(shape) + " images; AnchorNet takes [3,"
                    + height + "," + width + "] (synthetic data: add size=" + height + ")");
        }
        int n = Math.min(val.size(), limit);
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = val.label(i);
        }
        int imageSize = (int) (3 * height * width);
        return new Images() {
            public int size() {
                return n;
            }

            public long[] labels() {
                return labels;
            }

            public HostTensor batch(int from, int to) {
                float[] out = new float[(to - from) * imageSize];
                FloatBuffer fb = FloatBuffer.wrap(out);
                for (int i = from; i < to; i++) {
                    val.fill(i, fb);
                }
                return HostTensor.ofFloats(new long[] {to - from, 3, height, width}, out);
            }

            public String describe() {
                return spec + " (validation split, " + n + " images)";
            }
        };
    }

    private static HostTensor npy(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new UserError("--data: file not found: " + p);
        }
        try {
            return Npy.read(p);
        } catch (NpyFormatException e) {
            throw new UserError(e.getMessage());
        }
    }
}

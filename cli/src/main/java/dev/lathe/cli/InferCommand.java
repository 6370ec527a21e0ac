package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.runtime.data.Image;
import dev.lathe.runtime.data.ImageDecoder;
import dev.lathe.serve.ImageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe infer BUNDLE|M.onnx IMAGE|FOLDER... [--top-k 5] [--json]}: decodes JPEG/PNG files (EXIF orientation
 * applied), preprocesses them as the model's metadata says, runs them in batches and prints the top-k classes with
 * softmax probabilities.
 */
public final class InferCommand implements Command {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    @Override
    public String name() {
        return "infer";
    }

    @Override
    public String summary() {
        return "classify images (JPEG/PNG, EXIF orientation) with a bundle or a model that carries its preprocessing";
    }

    @Override
    public String usage() {
        return "BUNDLE|M.onnx IMAGE|FOLDER [...] [--top-k K] [--json] [--batch B] [--runtime NAME]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("top-k").hasArg().argName("K").desc("classes per image (default 5)")
                .build());
        o.addOption(Option.builder().longOpt("json").desc("one JSON object per image and line: {\"file\", \"top_k\":"
                + " [{\"index\", \"label\", \"probability\"}]}").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("images per run (default 8)").build());
        return SessionFlags.add(o);
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        List<String> args = cmd.getArgList();
        if (args.size() < 2) {
            throw new UserError("expected BUNDLE|M.onnx and at least one image or folder");
        }
        int k = Flags.intIn(cmd, "top-k", 1, 1_000_000, 5);
        int batch = Flags.intIn(cmd, "batch", 1, Flags.MAX_BATCH, 8);
        ImageModel model;
        try {
            model = ImageModel.load(Path.of(args.get(0)));
            model.requirePreprocessing();
        } catch (PackageException e) {
            throw new UserError(e.getMessage(), e);
        }
        List<Path> images = images(args.subList(1, args.size()));
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        ObjectMapper json = new ObjectMapper();
        try (Session session = SessionFlags.open(runtime, model, SessionFlags.config(cmd, runtime))) {
            if (session.inputs().size() != 1) {
                throw new UserError(model.file() + " has " + session.inputs().size() + " inputs; infer feeds one image"
                        + " input");
            }
            TensorSpec in = session.inputs().get(0);
            int maxBatch;
            try {
                maxBatch = model.checkImageInput(in);
            } catch (PackageException e) {
                throw new UserError(e.getMessage(), e);
            }
            int step = maxBatch == Integer.MAX_VALUE ? batch : maxBatch;
            for (int start = 0; start < images.size(); start += step) {
                List<Path> files = images.subList(start, Math.min(images.size(), start + step));
                List<Image> decoded = new ArrayList<>();
                for (Path f : files) {
                    decoded.add(ImageDecoder.readOriented(f));
                }
                while (maxBatch != Integer.MAX_VALUE && decoded.size() < maxBatch) {
                    decoded.add(decoded.get(0)); // a fixed batch is filled with copies; their rows are not printed
                }
                HostTensor t = model.batch(decoded);
                try (Outputs out = session.run(Map.of(in.name(), t))) {
                    String scores = model.logitsOutput(session);
                    HostTensor logits = out.get(scores);
                    if (logits.rank() != 2 || logits.shape()[0] != decoded.size()) {
                        throw new UserError(model.file() + ": output '" + scores
                                + "' has shape " + java.util.Arrays.toString(logits.shape())
                                + "; infer reads [N, classes] scores");
                    }
                    float[] v = logits.toFloats();
                    int classes = (int) logits.shape()[1];
                    for (int i = 0; i < files.size(); i++) {
                        print(ctx, json, cmd.hasOption("json"), files.get(i),
                                model.topK(v, i * classes, classes, k));
                    }
                }
            }
        } catch (InferenceException e) {
            throw new UserError(SessionFlags.oneLine(e.getMessage()), e);
        }
        return 0;
    }

    private static void print(CliContext ctx, ObjectMapper json, boolean asJson, Path file,
            List<ImageModel.Prediction> top) throws IOException {
        if (asJson) {
            ObjectNode o = json.createObjectNode();
            o.put("file", file.toString());
            ArrayNode a = o.putArray("top_k");
            for (ImageModel.Prediction p : top) {
                ObjectNode e = a.addObject();
                e.put("index", p.index());
                if (p.label() == null) {
                    e.putNull("label");
                } else {
                    e.put("label", p.label());
                }
                e.put("probability", p.probability());
            }
            ctx.out().println(json.writeValueAsString(o));
            return;
        }
        ctx.out().println(file);
        int rank = 1;
        for (ImageModel.Prediction p : top) {
            ctx.out().printf(Locale.ROOT, "  %d. %-24s %8.4f%%  (class %d)%n", rank++, p.label() == null ? "class "
                    + p.index() : p.label(), 100 * p.probability(), p.index());
        }
    }

    /** Image files in argument order; a folder contributes its image files (by extension) in name order. */
    static List<Path> images(List<String> args) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String a : args) {
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    List<Path> found = s.filter(f -> Files.isRegularFile(f) && IMAGE_EXTENSIONS.contains(
                            extension(f))).sorted().toList();
                    if (found.isEmpty()) {
                        throw new UserError("folder " + p + " has no image files (" + String.join(", ",
                                IMAGE_EXTENSIONS.stream().sorted().toList()) + ")");
                    }
                    out.addAll(found);
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else {
                throw new UserError("image file not found: " + p);
            }
        }
        return out;
    }

    private static String extension(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}

package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.count.LayerCount;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.infer.ShapeInferenceException;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.TensorType;
import dev.lathe.graph.ir.Value;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.graph.validate.ModelValidationException;
import dev.lathe.graph.validate.ModelValidator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe inspect MODEL.onnx [--json]}: inputs and outputs with types, op histogram, per-layer and total
 * parameters and MACs per image (a fixed batch is divided out; symbolic height and width need {@code --resolution};
 * conventions in docs/COUNTING.md).
 */
public final class InspectCommand implements Command {

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "show a model's inputs/outputs, op histogram, per-layer and total params and MACs";
    }

    @Override
    public String usage() {
        return "MODEL.onnx [--resolution HxW] [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(resolutionOption());
        o.addOption(Option.builder().longOpt("json").desc("print one JSON object: {params, macs, nodes, inputs,"
                + " outputs, ops, layers, uncounted}").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws IOException {
        Path file = CliArgs.singleModel(cmd);
        Inspection inspection = inspect(file, resolution(cmd));
        if (cmd.hasOption("json")) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ctx.out().println(mapper.writeValueAsString(inspection.toJson(mapper)));
        } else {
            inspection.print(ctx.out());
        }
        return 0;
    }

    /** A loaded, type-checked model and its counts. */
    public record Inspection(Path file, Model model, ModelCount count, Map<String, Integer> ops) {

        ObjectNode toJson(ObjectMapper mapper) {
            ObjectNode root = mapper.createObjectNode();
            root.put("model", file.toString());
            root.put("opset", model.opset());
            root.put("params", count.params());
            if (count.macsKnown()) {
                root.put("macs", count.macs());
            } else {
                root.putNull("macs"); // unknown, never a partial sum that reads like a total
            }
            root.put("macs_per", "image");
            root.put("batch", count.batch());
            root.put("nodes", model.graph().nodes().size());
            root.set("inputs", values(mapper, model.graph().inputs().stream()
                    .filter(v -> !v.isInitializer()).toList()));
            root.set("outputs", values(mapper, model.graph().outputs()));
            ObjectNode ops = root.putObject("ops");
            this.ops.forEach(ops::put);
            ArrayNode layers = root.putArray("layers");
            for (LayerCount l : count.layers()) {
                ObjectNode o = layers.addObject();
                o.put("name", l.name());
                o.put("op", l.opType());
                o.set("output", type(mapper, l.output()));
                o.put("params", l.params());
                o.put("macs", l.macs());
            }
            ArrayNode unc = root.putArray("uncounted");
            count.uncounted().forEach(unc::add);
            ObjectNode meta = root.putObject("metadata");
            ModelMetadata.all(model).forEach(meta::put);
            return root;
        }

        private static ArrayNode values(ObjectMapper mapper, List<Value> vs) {
            ArrayNode a = mapper.createArrayNode();
            for (Value v : vs) {
                ObjectNode o = type(mapper, v.type());
                o.put("name", v.name());
                a.add(o);
            }
            return a;
        }

        /** {"dtype": "float", "shape": [ "N", 3, 224, 224 ]}: symbols as strings, unknown dims as null. */
        private static ObjectNode type(ObjectMapper mapper, TensorType t) {
            ObjectNode o = mapper.createObjectNode();
            if (t == null) {
                o.putNull("dtype");
                o.putNull("shape");
                return o;
            }
            o.put("dtype", t.dtype().name().toLowerCase());
            if (t.shape() == null) {
                o.putNull("shape");
                return o;
            }
            ArrayNode shape = o.putArray("shape");
            for (Dim d : t.shape().dims()) {
                if (d instanceof Dim.Fixed f) {
                    shape.add(f.size());
                } else if (d instanceof Dim.Symbolic s) {
                    shape.add(s.name());
                } else {
                    shape.addNull();
                }
            }
            return o;
        }

        void print(PrintStream out) {
            out.printf("model    %s (opset %d, IR %d, producer %s %s)%n", file, model.opset(), model.irVersion(),
                    model.producerName(), model.producerVersion());
            out.println("inputs");
            for (Value v : model.graph().inputs()) {
                if (!v.isInitializer()) {
                    out.printf("  %-24s %s%n", v.name(), v.type());
                }
            }
            out.println("outputs");
            for (Value v : model.graph().outputs()) {
                out.printf("  %-24s %s%n", v.name(), v.type());
            }
            printMetadata(model, out);
            out.printf("ops      %d nodes:", model.graph().nodes().size());
            ops.forEach((op, n) -> out.printf(" %s %d", op, n));
            out.println();
            List<LayerCount> layers = count.layers();
            int width = Math.max(5, layers.stream().mapToInt(l -> l.name().length()).max().orElse(5));
            out.printf("layers (MACs per image)%n  %-" + width + "s  %-18s %-24s %12s %16s%n", "name", "op",
                    "output", "params", "MACs");
            for (LayerCount l : layers) {
                out.printf("  %-" + width + "s  %-18s %-24s %,12d %16s%n", l.name(), l.opType(),
                        l.output() == null ? "?" : l.output().toString(), l.params(),
                        l.macs() < 0 ? "unknown" : String.format("%,d", l.macs()));
            }
            String perImage = count.batch() > 1 ? " per image (the model's fixed batch of " + count.batch()
                    + " divided out)" : " per image";
            if (count.macsKnown()) {
                out.printf("total    %,d params, %,d MACs (%.3f GMACs)%s%n", count.params(), count.macs(),
                        count.macs() / 1e9, perImage);
            } else {
                out.printf("total    %,d params, MACs unknown: %d node(s) have a symbolic or unknown size%s%n",
                        count.params(), count.uncounted().size(), symbolicSpatial(model)
                                ? " (the input's height and width are symbolic: pass --resolution HxW)" : "");
                out.println("uncounted (a shape is unknown): " + String.join(", ", count.uncounted()));
            }
        }
    }

    /** The metadata_props, Lathe's keys first; long values (label lists, histories) shortened to one line. */
    static void printMetadata(Model model, PrintStream out) {
        Map<String, String> all = ModelMetadata.all(model);
        if (all.isEmpty()) {
            out.println("metadata (none; 'lathe meta set' adds preprocessing, labels, a name)");
            return;
        }
        out.println("metadata");
        int width = all.keySet().stream().mapToInt(String::length).max().orElse(8);
        all.forEach((k, v) -> {
            String shown = v.replaceAll("\\s*\\R\\s*", " ");
            if (k.equals(ModelMetadata.LABELS)) {
                shown = ModelMetadata.labels(model).size() + " labels: " + shown;
            }
            out.printf("  %-" + width + "s  %s%n", k, shown.length() > 160 ? shown.substring(0, 157) + "..." : shown);
        });
    }

    /**
     * Loads, validates and counts a model; bad files and models that are not well-formed or do not type-check become
     * one-line {@link UserError}s naming the file and the node.
     */
    public static Inspection inspect(Path file) throws IOException {
        return inspect(file, null);
    }

    /** As {@link #inspect(Path)}, counting with the symbolic height and width of 4-D inputs set to {@code hw}. */
    public static Inspection inspect(Path file, long[] hw) throws IOException {
        if (!Files.exists(file)) {
            throw new UserError("no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new UserError(file + " is a folder, expected an .onnx file");
        }
        Model model;
        model = Onnx.load(file);
        List<ModelValidator.Problem> problems = ModelValidator.check(model);
        if (!problems.isEmpty()) {
            throw new UserError(file + " is not a valid model: " + new ModelValidationException(problems).getMessage());
        }
        ModelCount count;
        try {
            count = ModelCounter.count(hw == null ? model : atResolution(model, hw));
        } catch (ShapeInferenceException e) {
            throw new UserError(file + " does not type-check: " + e.getMessage(), e);
        }
        Map<String, Integer> ops = new LinkedHashMap<>();
        for (Node n : model.graph().nodes()) {
            ops.merge(n.domain().isEmpty() ? n.opType() : n.domain() + "." + n.opType(), 1, Integer::sum);
        }
        return new Inspection(file, model, count, ops);
    }

    /** {@code --resolution HxW} (or R for R x R): the height and width to count a model with symbolic ones at. */
    static Option resolutionOption() {
        return Option.builder().longOpt("resolution").hasArg().argName("HxW")
                .desc("count MACs at this input height and width when the model's are symbolic (e.g. 224 or 320x480)")
                .build();
    }

    /** The --resolution value as {height, width}, or null when absent. */
    static long[] resolution(CommandLine cmd) {
        String v = cmd.getOptionValue("resolution");
        if (v == null) {
            return null;
        }
        String[] parts = v.trim().split("[xX]");
        try {
            long h = Long.parseLong(parts[0].trim());
            long w = parts.length == 2 ? Long.parseLong(parts[1].trim()) : h;
            if (parts.length <= 2 && h >= 1 && w >= 1 && h <= Flags.MAX_RESOLUTION && w <= Flags.MAX_RESOLUTION) {
                return new long[] {h, w};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserError("--resolution must be R or HxW with sizes in [1, " + Flags.MAX_RESOLUTION + "], got '" + v
                + "'");
    }

    /** Whether a 4-D graph input has a height or width that is not fixed. */
    static boolean symbolicSpatial(Model model) {
        for (Value v : model.graph().inputs()) {
            if (!v.isInitializer() && v.shape() != null && v.shape().rank() == 4
                    && !(v.shape().get(2).isFixed() && v.shape().get(3).isFixed())) {
                return true;
            }
        }
        return false;
    }

    /** A copy of the model whose 4-D inputs have their non-fixed height and width set to {@code hw}. */
    static Model atResolution(Model model, long[] hw) {
        Model copy = model.copy();
        for (Value v : copy.graph().inputs()) {
            TensorType t = v.type();
            if (v.isInitializer() || t == null || t.shape() == null || t.shape().rank() != 4) {
                continue;
            }
            Shape s = t.shape();
            for (int axis = 2; axis < 4; axis++) {
                if (!s.get(axis).isFixed()) {
                    s = s.with(axis, new Dim.Fixed(hw[axis - 2]));
                }
            }
            v.setType(new TensorType(t.dtype(), s));
        }
        return copy;
    }
}

package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.graph.count.LayerCount;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.infer.ShapeInferenceException;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
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
 * parameters and MACs (batch 1; conventions in docs/COUNTING.md).
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
        return "MODEL.onnx [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("print one JSON object: {params, macs, nodes, inputs,"
                + " outputs, ops, layers, uncounted}").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws IOException {
        Path file = CliArgs.singleModel(cmd);
        Inspection inspection = inspect(file);
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
            root.put("macs", count.macs());
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
            out.printf("ops      %d nodes:", model.graph().nodes().size());
            ops.forEach((op, n) -> out.printf(" %s %d", op, n));
            out.println();
            List<LayerCount> layers = count.layers();
            int width = Math.max(5, layers.stream().mapToInt(l -> l.name().length()).max().orElse(5));
            out.printf("layers (MACs at batch 1)%n  %-" + width + "s  %-18s %-24s %12s %16s%n", "name", "op",
                    "output", "params", "MACs");
            for (LayerCount l : layers) {
                out.printf("  %-" + width + "s  %-18s %-24s %,12d %,16d%n", l.name(), l.opType(),
                        l.output() == null ? "?" : l.output().toString(), l.params(), l.macs());
            }
            out.printf("total    %,d params, %,d MACs (%.3f GMACs) at batch 1%n", count.params(), count.macs(),
                    count.macs() / 1e9);
            if (!count.uncounted().isEmpty()) {
                out.println("uncounted (a shape is unknown): " + String.join(", ", count.uncounted()));
            }
        }
    }

    /**
     * Loads, validates and counts a model; bad files and models that are not well-formed or do not type-check become
     * one-line {@link UserError}s naming the file and the node.
     */
    public static Inspection inspect(Path file) throws IOException {
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
            count = ModelCounter.count(model);
        } catch (ShapeInferenceException e) {
            throw new UserError(file + " does not type-check: " + e.getMessage(), e);
        }
        Map<String, Integer> ops = new LinkedHashMap<>();
        for (Node n : model.graph().nodes()) {
            ops.merge(n.domain().isEmpty() ? n.opType() : n.domain() + "." + n.opType(), 1, Integer::sum);
        }
        return new Inspection(file, model, count, ops);
    }
}

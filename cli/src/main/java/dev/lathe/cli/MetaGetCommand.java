package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe meta get MODEL.onnx [KEY...] [--json]}: a model's metadata_props; KEY may be a short name (name,
 * preprocessing, labels, labels_file). One key prints its raw value; a missing key is an error naming it.
 */
public final class MetaGetCommand implements Command {
    @Override
    public String name() {
        return "meta get";
    }

    @Override
    public String summary() {
        return "print a model's metadata (preprocessing, labels, provenance, other metadata_props)";
    }

    @Override
    public String usage() {
        return "MODEL.onnx [KEY...] [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("print one JSON object of key: value").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        List<String> args = cmd.getArgList();
        if (args.isEmpty()) {
            throw new UserError("expected MODEL.onnx [KEY...]");
        }
        Model model = load(Path.of(args.get(0)));
        Map<String, String> all = ModelMetadata.all(model);
        Map<String, String> shown = new java.util.LinkedHashMap<>();
        for (String k : args.subList(1, args.size())) {
            String key = ModelMetadata.key(k);
            if (!all.containsKey(key)) {
                throw new UserError(args.get(0) + " has no metadata key '" + key + "'" + (all.isEmpty() ? " (it has none)"
                        : " (it has " + String.join(", ", all.keySet()) + ")"));
            }
            shown.put(key, all.get(key));
        }
        if (args.size() == 1) {
            shown = all;
        }
        if (cmd.hasOption("json")) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode o = m.createObjectNode();
            shown.forEach(o::put);
            ctx.out().println(m.writeValueAsString(o));
        } else if (args.size() == 2) {
            ctx.out().println(shown.values().iterator().next());
        } else {
            shown.forEach((k, v) -> ctx.out().println(k + "=" + v));
        }
        return 0;
    }

    static Model load(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserError("model file not found: " + file);
        }
        return Onnx.load(file);
    }
}

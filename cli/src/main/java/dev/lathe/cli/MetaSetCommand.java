package dev.lathe.cli;

import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.data.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe meta set MODEL.onnx KEY=VALUE... -o OUT.onnx | --in-place}: edits metadata_props. Lathe's keys are
 * checked: {@code preprocessing} takes the JSON form or a preset ({@code imagenet:224}, {@code cifar}) and is stored
 * as canonical JSON; {@code labels} takes a JSON array or {@code @FILE} (one label per line); an empty value removes
 * a key. The model's graph and weights are written unchanged.
 */
public final class MetaSetCommand implements Command {
    @Override
    public String name() {
        return "meta set";
    }

    @Override
    public String summary() {
        return "set or remove metadata keys (preprocessing, labels, name, any key) of a model";
    }

    @Override
    public String usage() {
        return "MODEL.onnx KEY=VALUE [KEY=VALUE...] (-o OUT.onnx | --in-place)   e.g. preprocessing=imagenet:224"
                + " labels=@labels.txt name=resnet18 labels_file=";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT.onnx").desc("the edited model").build());
        o.addOption(OutputPaths.inPlaceOption());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        List<String> args = cmd.getArgList();
        if (args.size() < 2) {
            throw new UserError("expected MODEL.onnx KEY=VALUE [KEY=VALUE...]");
        }
        Path in = Path.of(args.get(0));
        Path out = cmd.hasOption("output") ? OutputPaths.file(cmd, "output", in)
                : cmd.hasOption("in-place") ? in : null;
        if (out == null) {
            throw new UserError("name the output with -o OUT.onnx, or pass --in-place to edit " + in);
        }
        Model model = MetaGetCommand.load(in);
        for (String kv : args.subList(1, args.size())) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UserError("'" + kv + "' is not KEY=VALUE");
            }
            String key = ModelMetadata.key(kv.substring(0, eq));
            String value = value(key, kv.substring(eq + 1));
            try {
                ModelMetadata.set(model, key, value);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            ctx.out().println(value.isEmpty() ? "removed " + key : "set " + key);
        }
        Provenance.stamp(model, ctx);
        Onnx.save(model, out);
        ctx.out().println("wrote " + out);
        return 0;
    }

    private static String value(String key, String raw) throws java.io.IOException {
        if (raw.isEmpty()) {
            return raw;
        }
        if (key.equals(ModelMetadata.PREPROCESSING)) {
            try {
                return Preprocessing.parse(raw).toJson();
            } catch (IllegalArgumentException e) {
                throw new UserError(key + ": " + e.getMessage());
            }
        }
        if (key.equals(ModelMetadata.LABELS) && raw.startsWith("@")) {
            Path f = Path.of(raw.substring(1));
            if (!Files.isRegularFile(f)) {
                throw new UserError(key + ": label file not found: " + f);
            }
            com.fasterxml.jackson.databind.node.ArrayNode a = new com.fasterxml.jackson.databind.ObjectMapper()
                    .createArrayNode();
            ModelMetadata.readLabelsFile(f).forEach(a::add);
            return a.toString();
        }
        return raw;
    }
}

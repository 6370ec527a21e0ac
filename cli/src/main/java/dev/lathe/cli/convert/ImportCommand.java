package dev.lathe.cli.convert;

import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.Flags;
import dev.lathe.cli.OutputPaths;
import dev.lathe.cli.Provenance;
import dev.lathe.cli.UserError;
import dev.lathe.converter.bind.BindException;
import dev.lathe.converter.bind.BindReport;
import dev.lathe.converter.bind.StateDict;
import dev.lathe.converter.bind.StateDictBinder;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.CheckpointFormatException;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.models.ZooEntry;
import java.nio.file.Files;
import dev.lathe.converter.meta.ModelMetadata;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.OptionGroup;
import org.apache.commons.cli.Options;

/**
 * {@code lathe import FILE (--onnx GRAPH | --model NAME) -o OUT}: binds a checkpoint's state_dict to a graph whose
 * initializers carry state_dict names, and writes the graph with the checkpoint's weights.
 */
public final class ImportCommand implements Command {
    @Override
    public String name() {
        return "import";
    }

    @Override
    public String summary() {
        return "bind a PyTorch checkpoint or safetensors file to an ONNX graph or a zoo model by state_dict key";
    }

    @Override
    public String usage() {
        return "FILE (--onnx GRAPH.onnx | --model NAME [--classes N] [--resolution R]) [--key K] [--strict|--no-strict]"
                + " -o OUT.onnx";
    }

    @Override
    public Options options() {
        Options o = new Options();
        OptionGroup target = new OptionGroup();
        target.addOption(Option.builder().longOpt("onnx").hasArg().argName("GRAPH.onnx")
                .desc("graph whose initializers are named like the state_dict keys (as torch.onnx exports them)")
                .build());
        target.addOption(Option.builder().longOpt("model").hasArg().argName("NAME")
                .desc("zoo model to build and fill (see the zoo's list)").build());
        o.addOptionGroup(target);
        o.addOption(Option.builder().longOpt("classes").hasArg().argName("N")
                .desc("classifier width of the zoo model (default: its published value)").build());
        o.addOption(Option.builder().longOpt("resolution").hasArg().argName("R")
                .desc("input resolution of the zoo model (default: its published value)").build());
        o.addOption(Option.builder().longOpt("key").hasArg().argName("K")
                .desc("where the state_dict sits in the file, e.g. state_dict_ema or model (a/b for nested); "
                        + "default: chosen automatically and reported").build());
        OptionGroup mode = new OptionGroup();
        mode.addOption(Option.builder().longOpt("strict")
                .desc("fail unless every key matches (default), like load_state_dict(strict=True)").build());
        mode.addOption(Option.builder().longOpt("no-strict")
                .desc("bind what matches and list missing, unexpected and mismatched keys").build());
        o.addOptionGroup(mode);
        o.addOption(OutputPaths.inPlaceOption());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT.onnx").required()
                .desc("where to write the bound graph (written atomically)").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (cmd.getArgList().size() != 1) {
            throw new UserError("expected one checkpoint file, got " + cmd.getArgList().size() + " arguments");
        }
        if (!cmd.hasOption("onnx") && !cmd.hasOption("model")) {
            throw new UserError("name the graph to bind to with --onnx GRAPH.onnx or --model NAME");
        }
        Path graph = cmd.hasOption("onnx") ? Path.of(cmd.getOptionValue("onnx")) : null;
        Path out = OutputPaths.file(cmd, "output", Path.of(cmd.getArgList().get(0)));
        if (graph != null) {
            OutputPaths.file(cmd, out, graph);
        }
        Checkpoint ckpt = CkptInspectCommand.read(cmd.getArgList().get(0));
        StateDict sd;
        try {
            sd = StateDict.locate(ckpt, cmd.getOptionValue("key"));
        } catch (CheckpointFormatException e) {
            throw new UserError(e.getMessage(), e);
        }
        Model model = graph != null ? loadGraph(cmd.getOptionValue("onnx")) : buildZooModel(cmd);
        BindReport report;
        try {
            report = StateDictBinder.bind(model, sd, !cmd.hasOption("no-strict"));
        } catch (BindException e) {
            ctx.err().print(e.report().toText());
            BindReport r = e.report();
            throw new UserError("strict binding failed (" + r.missing().size() + " missing, " + r.unexpected().size()
                    + " unexpected, " + r.mismatched().size() + " mismatched keys); nothing written. Use --no-strict "
                    + "to bind what matches, or --key to pick another state_dict" + BindHints.suffix(r, model, graph == null));
        }
        Path ckptFile = Path.of(cmd.getArgList().get(0));
        model.metadataProps().put(ModelMetadata.CHECKPOINT, ckptFile.getFileName().toString());
        model.metadataProps().put(ModelMetadata.CHECKPOINT_SHA256, ModelMetadata.sha256(ckptFile));
        if (graph == null) {
            model.metadataProps().put(ModelMetadata.ZOO, cmd.getOptionValue("model"));
        }
        Provenance.stamp(model, ctx);
        Onnx.save(model, out);
        ctx.out().print(report.toText());
        ctx.out().println("wrote " + out);
        return 0;
    }

    private static Model loadGraph(String file) throws Exception {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new UserError("no such ONNX file: " + file);
        }
        return Onnx.load(path);
    }

    private static Model buildZooModel(CommandLine cmd) {
        ZooEntry entry;
        try {
            entry = ModelZoo.get(cmd.getOptionValue("model"));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        ZooConfig config = entry.defaults();
        try {
            config = config.withClasses(Flags.positiveInt(cmd, "classes", Flags.MAX_CLASSES, config.classes()))
                    .withResolution(Flags.positiveInt(cmd, "resolution", Flags.MAX_RESOLUTION, config.resolution()));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        return entry.build(config);
    }
}

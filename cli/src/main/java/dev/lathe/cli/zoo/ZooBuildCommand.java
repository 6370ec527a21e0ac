package dev.lathe.cli.zoo;

import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.Flags;
import dev.lathe.cli.OutputPaths;
import dev.lathe.cli.Provenance;
import dev.lathe.cli.UserError;
import dev.lathe.cli.convert.BindHints;
import dev.lathe.converter.bind.BindException;
import dev.lathe.converter.bind.BindReport;
import dev.lathe.converter.bind.StateDict;
import dev.lathe.converter.bind.StateDictBinder;
import dev.lathe.converter.ckpt.Checkpoint;
import dev.lathe.converter.ckpt.CheckpointFormatException;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.models.ZooEntry;
import java.nio.file.Files;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.runtime.data.Preprocessing;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe zoo build NAME [--classes N] [--resolution R] [--seed S] [--weights FILE] -o OUT.onnx}: builds a zoo
 * model (batch dimension symbolic), optionally binds a PyTorch checkpoint to it by state_dict key (strict, as
 * {@code load_state_dict(strict=True)}), and writes it atomically.
 */
public final class ZooBuildCommand implements Command {
    @Override
    public String name() {
        return "zoo build";
    }

    @Override
    public String summary() {
        return "build a zoo model as ONNX, optionally with a PyTorch checkpoint's weights bound by key";
    }

    @Override
    public String usage() {
        return "NAME [--classes N] [--resolution R] [--seed S] [--weights FILE [--key K]] -o OUT.onnx";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("classes").hasArg().argName("N")
                .desc("classifier width (default: the model's published value, see 'lathe zoo list')").build());
        o.addOption(Option.builder().longOpt("resolution").hasArg().argName("R")
                .desc("square input resolution (default: the model's published value)").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S")
                .desc("seed of the default initialisation when no weights are given (default 0)").build());
        o.addOption(Option.builder().longOpt("weights").hasArg().argName("FILE")
                .desc("PyTorch checkpoint (.pth/.pth.tar/.bin) or .safetensors whose state_dict keys name the "
                        + "model's parameters; every key must match").build());
        o.addOption(Option.builder().longOpt("key").hasArg().argName("K")
                .desc("where the state_dict sits in the checkpoint (e.g. state_dict_ema); default: found and "
                        + "reported").build());
        // checked in run(), not required() here, so that --help works without -o
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT.onnx")
                .desc("where to write the model (written atomically)").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (cmd.getArgList().size() != 1) {
            throw new UserError("expected one model name (see 'lathe zoo list'), got " + cmd.getArgList());
        }
        if (!cmd.hasOption("output")) {
            throw new UserError("name the output file with -o OUT.onnx");
        }
        Path out = OutputPaths.file(cmd, "output", null);
        ZooEntry entry;
        try {
            entry = ModelZoo.get(cmd.getArgList().get(0));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        ZooConfig config = entry.defaults();
        config = new ZooConfig(Flags.positiveInt(cmd, "classes", Flags.MAX_CLASSES, config.classes()),
                Flags.positiveInt(cmd, "resolution", Flags.MAX_RESOLUTION, config.resolution()),
                Flags.longIn(cmd, "seed", 0, Integer.MAX_VALUE, 0));
        Model model;
        try {
            model = entry.build(config);
        } catch (RuntimeException e) {
            throw new UserError(entry.name() + " cannot be built at " + config.classes() + " classes, resolution "
                    + config.resolution() + ": " + e.getMessage());
        }
        if (cmd.hasOption("weights")) {
            bindWeights(model, cmd.getOptionValue("weights"), cmd.getOptionValue("key"), ctx);
            Path w = Path.of(cmd.getOptionValue("weights"));
            model.metadataProps().put(ModelMetadata.CHECKPOINT, w.getFileName().toString());
            model.metadataProps().put(ModelMetadata.CHECKPOINT_SHA256, ModelMetadata.sha256(w));
        }
        model.metadataProps().put(ModelMetadata.ZOO, entry.name());
        model.metadataProps().put(ModelMetadata.NAME, entry.name());
        model.metadataProps().put(ModelMetadata.PREPROCESSING, zooPreprocessing(config.resolution()).toJson());
        Provenance.stamp(model, ctx);
        Onnx.save(model, out);
        ModelCount count = ModelCounter.count(model);
        ctx.out().printf("wrote %s: %s, %d classes, %dx%d input, %,d params, %.3f GMACs%n", out, entry.name(),
                config.classes(), config.resolution(), config.resolution(), count.params(), count.macs() / 1e9);
        return 0;
    }

    /**
     * The published evaluation pipeline of a zoo model at resolution r: CIFAR's at 32 (the CIFAR models), ImageNet's
     * Resize(r*256/224) + CenterCrop(r) otherwise; {@code lathe meta set} changes it for other training data.
     */
    static Preprocessing zooPreprocessing(int r) {
        return r == 32 ? Preprocessing.cifar(32) : Preprocessing.imagenet(r);
    }

    private static void bindWeights(Model model, String file, String key, CliContext ctx) throws Exception {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new UserError("no such checkpoint file: " + file);
        }
        StateDict sd;
        try {
            sd = StateDict.locate(Checkpoint.read(path), key);
        } catch (CheckpointFormatException e) {
            throw new UserError(e.getMessage(), e);
        }
        try {
            BindReport report = StateDictBinder.bind(model, sd, true);
            ctx.out().print(report.toText());
        } catch (BindException e) {
            ctx.err().print(e.report().toText());
            BindReport r = e.report();
            throw new UserError("checkpoint " + file + " does not fit the model (" + r.missing().size() + " missing, "
                    + r.unexpected().size() + " unexpected, " + r.mismatched().size() + " mismatched keys); "
                    + "nothing written. Check --classes/--resolution, or pick the state_dict with --key"
                    + BindHints.suffix(r, model, true));
        }
    }
}

package dev.lathe.cli;

import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.runtime.io.Npy;
import dev.lathe.runtime.io.NpyFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code lathe run MODEL.onnx --input NAME=x.npy ... -o DIR}: runs a model once and writes every output as .npy. */
public final class RunCommand implements Command {

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run a model on .npy inputs and write each output as DIR/<output>.npy";
    }

    @Override
    public String usage() {
        return "MODEL.onnx --input NAME=FILE.npy [--input ...] -o DIR [--outputs A,B] [--runtime NAME]"
                + " [--device cpu|cuda[:N]]"
                + " [--threads T]";
    }

    @Override
    public java.util.Set<String> repeatable() {
        return java.util.Set.of("input");
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("i").longOpt("input").hasArg().argName("NAME=FILE.npy")
                .desc("an input tensor (repeat for each input; NAME= may be left out for a one-input model)").build());
        o.addOption(Option.builder("o").longOpt("output-dir").hasArg().argName("DIR")
                .desc("folder for the outputs (created if missing)").build());
        o.addOption(Option.builder().longOpt("outputs").hasArg().argName("A,B,...")
                .desc("values to write: graph outputs or any intermediate value (default: every graph output)")
                .build());
        return SessionFlags.add(o);
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws IOException {
        Path model = CliArgs.singleModel(cmd);
        if (!cmd.hasOption("output-dir")) {
            throw new UserError("no output folder; pass -o DIR");
        }
        Path outDir = OutputPaths.folder(Path.of(cmd.getOptionValue("output-dir")), false);
        String[] specs = cmd.getOptionValues("input");
        if (specs == null) {
            throw new UserError("no --input given; pass --input NAME=FILE.npy for each model input");
        }
        List<String> wanted = cmd.hasOption("outputs")
                ? Arrays.stream(cmd.getOptionValue("outputs").split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).toList()
                : List.of();
        if (cmd.hasOption("outputs") && wanted.isEmpty()) {
            throw new UserError("--outputs is empty; name at least one value");
        }
        // values that are not graph outputs are exposed as extra outputs when the session is compiled
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        try (Session session = SessionFlags.open(runtime, model,
                SessionFlags.config(cmd, runtime).withExposedIntermediates(wanted))) {
            Map<String, HostTensor> inputs = readInputs(specs, session.inputs());
            try (Outputs out = wanted.isEmpty() ? session.run(inputs) : session.run(inputs, wanted)) {
                OutputPaths.folder(outDir, true);
                for (Map.Entry<String, HostTensor> e : out.asMap().entrySet()) {
                    Path file = outDir.resolve(fileName(e.getKey()));
                    Npy.write(file, e.getValue());
                    ctx.out().println("wrote " + file + " (" + TensorSpec.dtypeName(e.getValue().dtype())
                            + Arrays.toString(e.getValue().shape()) + ")");
                }
            }
        } catch (InferenceException e) {
            throw new UserError(SessionFlags.oneLine(e.getMessage()), e);
        }
        return 0;
    }

    private static Map<String, HostTensor> readInputs(String[] specs, List<TensorSpec> modelInputs)
            throws IOException {
        Map<String, HostTensor> inputs = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name;
            String file;
            if (eq < 0) {
                if (modelInputs.size() != 1) {
                    throw new UserError("--input '" + spec + "' has no NAME=; the model has " + modelInputs.size()
                            + " inputs " + modelInputs.stream().map(TensorSpec::name).toList());
                }
                name = modelInputs.get(0).name();
                file = spec;
            } else {
                name = spec.substring(0, eq);
                file = spec.substring(eq + 1);
            }
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new UserError("input file not found for '" + name + "': " + path);
            }
            if (inputs.containsKey(name)) {
                throw new UserError("input '" + name + "' given twice");
            }
            try {
                inputs.put(name, Npy.read(path));
            } catch (NpyFormatException e) {
                throw new UserError(e.getMessage(), e);
            }
        }
        return inputs;
    }

    /** Output names can hold characters that are not safe in file names ("onnx::Add_12", "a/b"). */
    static String fileName(String output) {
        return output.replaceAll("[^A-Za-z0-9._-]", "_") + ".npy";
    }
}

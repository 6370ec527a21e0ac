package dev.lathe.cli;

import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.RuntimeUnavailableException;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.ort.OrtProviders;
import dev.lathe.runtime.ort.OrtRuntime;
import dev.lathe.serve.ImageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** The session flags shared by commands that run a model: --runtime, --device, --threads, --opt-level. */
public final class SessionFlags {
    private SessionFlags() {}

    public static Options add(Options o) {
        o.addOption(runtimeOption());
        o.addOption(deviceOption());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("T")
                .desc("intra-op threads (default: the runtime's choice)").build());
        o.addOption(Option.builder().longOpt("opt-level").hasArg().argName("none|basic|extended|all")
                .desc("graph optimisation level (default all)").build());
        return o;
    }

    /** --runtime alone, for commands with their own thread flags (train, bench train, eval, demo). */
    static Option runtimeOption() {
        return Option.builder().longOpt("runtime").hasArg().argName("NAME")
                .desc("runtime to run on: " + String.join(", ", Runtimes.names()) + " (default: ort-cpu, or"
                        + " ort-cuda with --device cuda)").build();
    }

    /** --device alone, for commands with their own thread flags (train, bench train). */
    static Option deviceOption() {
        return Option.builder().longOpt("device").hasArg().argName("cpu|cuda[:N]")
                .desc("where to run (default: the runtime's, cpu for ort-cpu, cuda:0 for ort-cuda; cuda needs a build"
                        + " with -Pcuda)").build();
    }

    /** The --device value, cpu when absent. */
    static SessionConfig.Device device(CommandLine cmd) {
        try {
            return SessionConfig.Device.parse(cmd.getOptionValue("device", "cpu"));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * The runtime named by --runtime; without it, ONNX Runtime on the --device's kind (ort-cpu, ort-cuda). An unknown
     * or unusable runtime is one line (exit code 2); one implied by --device names the device first.
     */
    public static InferenceRuntime runtime(CommandLine cmd) {
        if (cmd.hasOption("runtime")) {
            return Runtimes.get(cmd.getOptionValue("runtime"));
        }
        SessionConfig.Device d = device(cmd);
        try {
            return Runtimes.get(d.kind() == SessionConfig.Device.Kind.CUDA ? OrtProviders.CUDA : OrtProviders.CPU);
        } catch (RuntimeUnavailableException e) {
            throw new RuntimeUnavailableException(d.kind() + " device " + d.index() + " unavailable: " + e.getMessage(),
                    e);
        }
    }

    /** The device for {@code runtime}: --device when given, else the runtime's own default (cpu, cuda:0). */
    static SessionConfig.Device device(CommandLine cmd, InferenceRuntime runtime) {
        return cmd.hasOption("device") ? device(cmd) : runtime.defaultDevice();
    }

    /** The device for the trainer, which runs on ONNX Runtime only: from --runtime and --device as above. */
    static SessionConfig.Device trainingDevice(CommandLine cmd) {
        InferenceRuntime runtime = runtime(cmd);
        if (!(runtime instanceof OrtRuntime)) {
            throw new UserError("the trainer runs on ONNX Runtime (" + OrtProviders.CPU + ", " + OrtProviders.CUDA
                    + "); runtime '" + runtime.name() + "' cannot train");
        }
        return device(cmd, runtime);
    }

    public static SessionConfig config(CommandLine cmd, InferenceRuntime runtime) {
        SessionConfig c = SessionConfig.defaults().withDevice(device(cmd, runtime));
        if (cmd.hasOption("threads")) {
            c = c.withThreads(Flags.threads(cmd, 0), 0);
        }
        if (cmd.hasOption("opt-level")) {
            String v = cmd.getOptionValue("opt-level");
            try {
                c = c.withOptimization(SessionConfig.Optimization.valueOf(v.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UserError("--opt-level '" + v + "' is not one of none, basic, extended, all");
            }
        }
        return c;
    }

    /** Opens the model file as a session; a missing or unreadable model is one clear line. */
    static Session open(InferenceRuntime runtime, Path model, SessionConfig config) {
        if (!Files.isRegularFile(model)) {
            throw new UserError("model file not found: " + model);
        }
        try {
            return runtime.open(ModelSource.file(model), config);
        } catch (InferenceException e) {
            throw new UserError(oneLine(e.getMessage()), e);
        }
    }

    /**
     * Opens a deployable model (a model file, a bundle, or an AnchorNet cascade bundle as one session); a model the
     * runtime or the cascade refuses is one clear line.
     */
    static Session open(InferenceRuntime runtime, ImageModel model, SessionConfig config) {
        try {
            return model.open(runtime, config);
        } catch (InferenceException e) {
            throw new UserError(oneLine(e.getMessage()), e);
        } catch (IOException e) {
            throw new UserError(model.file() + ": " + e.getMessage(), e);
        }
    }

    /** A model run that reads data: {@link #reported}'s argument. */
    interface ModelCall<T> {
        T call() throws IOException;
    }

    /**
     * Runs {@code call}, turning what bad input causes (the runtime refusing the model, a non-finite activation, a
     * data file of the wrong type) into one line naming the model.
     */
    static <T> T reported(Path model, ModelCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (InferenceException e) {
            throw new UserError(model + ": " + oneLine(e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw new UserError(model + ": " + e.getMessage());
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}

package dev.lathe.cli;

import dev.lathe.cli.convert.CkptBenchCommand;
import dev.lathe.cli.convert.CkptInspectCommand;
import dev.lathe.cli.convert.ImportCommand;
import dev.lathe.cli.dynamic.BenchCascadeCommand;
import dev.lathe.cli.dynamic.DynamicEvalCommand;
import dev.lathe.cli.dynamic.DynamicPackageCommand;
import dev.lathe.cli.dynamic.DynamicRunCommand;
import dev.lathe.cli.dynamic.DynamicSearchCommand;
import dev.lathe.cli.dynamic.DynamicTableCommand;
import dev.lathe.cli.zoo.ZooBuildCommand;
import dev.lathe.cli.zoo.ZooListCommand;
import dev.lathe.runtime.ort.OrtNativeCache;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** Entry point of the {@code lathe} command line: dispatches to one {@link Command} per pipeline step. */
public final class Main {

    /** Every subcommand, in the order {@code lathe --help} lists them. */
    static List<Command> commands() {
        return List.of(
                new TrainCommand(),
                new BenchTrainCommand(),
                new BenchLoaderCommand(),
                new EvalCommand(),
                new DemoCommand(),
                new InspectCommand(),
                new MetaGetCommand(),
                new MetaSetCommand(),
                new PackageCommand(),
                new InferCommand(),
                new ServeCommand(),
                new OptimizeCommand(),
                new BenchInspectCommand(),
                new CkptInspectCommand(),
                new ImportCommand(),
                new CkptBenchCommand(),
                new RunCommand(),
                new BenchInferCommand(),
                new BenchServeCommand(),
                new PruneCommand(),
                new CalibrateCommand(),
                new QuantizeCommand(),
                new DynamicEvalCommand(),
                new DynamicSearchCommand(),
                new DynamicTableCommand(),
                new DynamicRunCommand(),
                new DynamicPackageCommand(),
                new BenchCascadeCommand(),
                new ZooListCommand(),
                new ZooBuildCommand(),
                new IspCommand(IspCommand.Stage.PREDICTOR),
                new IspCommand(IspCommand.Stage.SELECTOR),
                new IspCommand(IspCommand.Stage.SEARCH),
                new IspCommand(IspCommand.Stage.PRUNE),
                new IspCommand(IspCommand.Stage.RUN)
        );
    }

    public static void main(String[] args) {
        OrtNativeCache.install(); // ORT's libraries from ~/.cache/lathe, not a new /tmp folder per process
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean verbose = rest.remove("--verbose") | rest.remove("-v");
        CliContext ctx = new CliContext(out, err, verbose, rest);
        if (rest.isEmpty() || isHelp(rest.get(0)) || rest.get(0).equals("help")) {
            printOverview(out);
            return rest.isEmpty() ? ExitCode.USER_ERROR : ExitCode.OK;
        }
        if (rest.get(0).equals("--version")) {
            out.println("lathe " + Provenance.version());
            return ExitCode.OK;
        }
        Command command = null;
        int words = 0;
        for (Command c : commands()) {
            String[] name = c.name().split(" ");
            if (name.length <= rest.size() && rest.subList(0, name.length).equals(Arrays.asList(name))
                    && name.length > words) {
                command = c;
                words = name.length;
            }
        }
        if (command == null) {
            List<Command> group = commands().stream().filter(c -> c.name().startsWith(rest.get(0) + " ")).toList();
            if (!group.isEmpty() && (rest.size() == 1 || isHelp(rest.get(1)))) {
                printGroup(rest.get(0), group, out);
                return rest.size() == 1 ? ExitCode.USER_ERROR : ExitCode.OK;
            }
            err.println("lathe: unknown command '" + String.join(" ", rest.subList(0, Math.min(rest.size(),
                    group.isEmpty() ? 1 : 2))) + "'" + suggestion(rest) + " Run 'lathe --help' for the list.");
            return ExitCode.USER_ERROR;
        }
        List<String> cmdArgs = rest.subList(words, rest.size());
        Options options = command.options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
        if (cmdArgs.stream().anyMatch(Main::isHelp)) { // before parsing: required options must not hide the help
            printHelp(command, out);
            return ExitCode.OK;
        }
        try {
            CommandLine cl = new DefaultParser().parse(options, cmdArgs.toArray(new String[0]));
            Flags.refuseRepeats(cl, command.repeatable());
            return command.run(cl, ctx);
        } catch (ParseException e) {
            err.println("lathe " + command.name() + ": " + e.getMessage() + " (see 'lathe " + command.name()
                    + " --help')");
            return ExitCode.USER_ERROR;
        } catch (Exception e) {
            int code = ExitCode.of(e);
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (e instanceof NoSuchFileException || e instanceof FileNotFoundException) {
                message = "file not found: " + message;
            } else if (e instanceof AccessDeniedException) {
                message = "permission denied: " + message;
            }
            err.println("lathe " + command.name() + ": " + SessionFlags.oneLine(message)
                    + (code == ExitCode.INTERNAL_ERROR && !verbose ? " (internal error; --verbose shows where)" : ""));
            if (verbose) {
                e.printStackTrace(err);
            }
            return code;
        }
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }

    /** "; did you mean 'inspect'?" for the command name closest to what was typed, or ";" when none is close. */
    static String suggestion(List<String> typed) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Command c : commands()) {
            String[] name = c.name().split(" ");
            String candidate = String.join(" ", typed.subList(0, Math.min(typed.size(), name.length)));
            int d = EditDistance.between(candidate, c.name());
            if (d < bestDistance) {
                best = c.name();
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, best.length() / 3) ? "; did you mean '" + best + "'?" : ";";
    }

    static void printHelp(Command c, PrintStream out) {
        HelpFormatter f = new HelpFormatter();
        f.setWidth(110);
        java.io.PrintWriter pw = new java.io.PrintWriter(out);
        f.printHelp(pw, 110, "lathe " + c.name() + " " + c.usage(), c.summary(), c.options(), 2, 2,
                "Add --verbose for stack traces.");
        pw.flush();
    }

    static void printGroup(String group, List<Command> members, PrintStream out) {
        out.println("usage: lathe " + group + " <command> [options]   (lathe " + group + " <command> --help for details)");
        out.println();
        for (Command c : members) {
            out.printf("  %-16s %s%n", c.name(), c.summary());
        }
    }

    static void printOverview(PrintStream out) {
        out.println("lathe: efficient vision models from authoring to deployment, ONNX as the single currency.");
        out.println();
        out.println("usage: lathe <command> [options]   (lathe <command> --help for details; lathe --version)");
        out.println();
        for (Command c : commands()) {
            out.printf("  %-16s %s%n", c.name(), c.summary());
        }
    }
}

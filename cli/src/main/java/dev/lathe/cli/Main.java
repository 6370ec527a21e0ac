package dev.lathe.cli;

import dev.lathe.cli.convert.CkptBenchCommand;
import dev.lathe.cli.convert.CkptInspectCommand;
import dev.lathe.cli.convert.ImportCommand;
import dev.lathe.cli.zoo.ZooBuildCommand;
import dev.lathe.cli.zoo.ZooListCommand;
import dev.lathe.graph.serde.OnnxFormatException;
import dev.lathe.runtime.RuntimeUnavailableException;
import java.io.FileNotFoundException;
import java.io.PrintStream;
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
                new EvalCommand(),
                new DemoCommand(),
                new InspectCommand(),
                new OptimizeCommand(),
                new BenchInspectCommand(),
                new CkptInspectCommand(),
                new ImportCommand(),
                new CkptBenchCommand(),
                new RunCommand(),
                new BenchInferCommand(),
                new PruneCommand(),
                new ZooListCommand(),
                new ZooBuildCommand()
        );
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean verbose = rest.remove("--verbose") | rest.remove("-v");
        CliContext ctx = new CliContext(out, err, verbose);
        if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h") || rest.get(0).equals("help")) {
            printOverview(out);
            return rest.isEmpty() ? 2 : 0;
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
            err.println("lathe: unknown command '" + String.join(" ", rest) + "'; run 'lathe --help' for the list");
            return 2;
        }
        List<String> cmdArgs = rest.subList(words, rest.size());
        Options options = command.options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
        try {
            CommandLine cl = new DefaultParser().parse(options, cmdArgs.toArray(new String[0]));
            if (cl.hasOption("help")) {
                printHelp(command, out);
                return 0;
            }
            return command.run(cl, ctx);
        } catch (ParseException e) {
            err.println("lathe " + command.name() + ": " + e.getMessage() + " (see 'lathe " + command.name()
                    + " --help')");
            return 2;
        } catch (UserError | OnnxFormatException | RuntimeUnavailableException e) { // missing provider: setup
            err.println("lathe " + command.name() + ": " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return 2;
        } catch (NoSuchFileException | FileNotFoundException e) {
            err.println("lathe " + command.name() + ": file not found: " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return 2;
        } catch (Exception e) {
            err.println("lathe " + command.name() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    static void printHelp(Command c, PrintStream out) {
        HelpFormatter f = new HelpFormatter();
        f.setWidth(110);
        java.io.PrintWriter pw = new java.io.PrintWriter(out);
        f.printHelp(pw, 110, "lathe " + c.name() + " " + c.usage(), c.summary(), c.options(), 2, 2,
                "Add --verbose for stack traces.");
        pw.flush();
    }

    static void printOverview(PrintStream out) {
        out.println("lathe: efficient vision models from authoring to deployment, ONNX as the single currency.");
        out.println();
        out.println("usage: lathe <command> [options]   (lathe <command> --help for details)");
        out.println();
        for (Command c : commands()) {
            out.printf("  %-16s %s%n", c.name(), c.summary());
        }
    }
}

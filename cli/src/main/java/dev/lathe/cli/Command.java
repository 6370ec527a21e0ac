package dev.lathe.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One {@code lathe} subcommand: its options, a one-line summary, and the work. */
public interface Command {
    /** The words that select it, e.g. "inspect" or "bench infer". */
    String name();

    String summary();

    /** Usage line after the command name, e.g. "MODEL.onnx [--json]". */
    String usage();

    Options options();

    /** Long names of the options that may be given more than once (e.g. {@code --shape}); any other twice is an error. */
    default java.util.Set<String> repeatable() {
        return java.util.Set.of();
    }

    /** Runs the command; returns the process exit code. Throw {@link UserError} for bad input. */
    int run(CommandLine cmd, CliContext ctx) throws Exception;
}

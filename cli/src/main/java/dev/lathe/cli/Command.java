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

    /** Runs the command; returns the process exit code. Throw {@link UserError} for bad input. */
    int run(CommandLine cmd, CliContext ctx) throws Exception;
}

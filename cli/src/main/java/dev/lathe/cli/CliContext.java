package dev.lathe.cli;

import java.io.PrintStream;

/** Where a command writes, and whether the user asked for detail. */
public record CliContext(PrintStream out, PrintStream err, boolean verbose) {}

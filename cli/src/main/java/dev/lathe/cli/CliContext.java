package dev.lathe.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * Where a command writes, whether the user asked for detail, and the command line as typed (recorded as provenance
 * in the models a command writes).
 */
public record CliContext(PrintStream out, PrintStream err, boolean verbose, List<String> args) {
    public CliContext {
        args = List.copyOf(args);
    }

    public CliContext(PrintStream out, PrintStream err, boolean verbose) {
        this(out, err, verbose, List.of());
    }

    /** {@code lathe ARGS...}, each argument shell-quoted when it needs it. */
    public String commandLine() {
        StringBuilder b = new StringBuilder("lathe");
        for (String a : args) {
            b.append(' ').append(a.matches("[A-Za-z0-9_@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return b.toString();
    }
}

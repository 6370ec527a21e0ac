package dev.lathe.runtime.io;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * One line of progress. On a terminal it is redrawn in place (a carriage return, the line, blanks over what is
 * left of a longer previous one); anywhere else (a file, a pipe, a CI log) it is printed as plain lines, at most one
 * every {@code interval} and never with a carriage return, so logs stay readable. {@link #done} always prints its
 * line and ends it.
 */
public final class ProgressLine {
    /** How often a non-terminal gets a progress line. */
    public static final long DEFAULT_INTERVAL_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long lastPrinted = Long.MIN_VALUE;
    private int drawnLength;

    public ProgressLine(PrintStream out, boolean terminal, long intervalNanos, LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    /** Progress on {@code out}: redrawn when it is this process's standard error on a terminal, else plain. */
    public static ProgressLine on(PrintStream out) {
        return new ProgressLine(out, out == System.err && isTerminal(2), DEFAULT_INTERVAL_NANOS, System::nanoTime);
    }

    /** The latest state: redrawn on a terminal; elsewhere printed if the interval has passed since the last one. */
    public void update(String line) {
        if (terminal) {
            draw(line);
            out.flush();
            return;
        }
        long now = clock.getAsLong();
        if (lastPrinted == Long.MIN_VALUE || now - lastPrinted >= intervalNanos) {
            out.println(line);
            lastPrinted = now;
        }
    }

    /** A final line: replaces the progress on a terminal and ends it; always printed elsewhere. */
    public void done(String line) {
        if (terminal) {
            draw(line);
            out.println();
            drawnLength = 0;
        } else {
            out.println(line);
        }
        out.flush();
        lastPrinted = Long.MIN_VALUE; // the next phase's first update shows at once
    }

    private void draw(String line) {
        StringBuilder b = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < drawnLength; i++) {
            b.append(' ');
        }
        out.print(b);
        drawnLength = line.length();
    }

    /**
     * Whether file descriptor {@code fd} is a terminal: on Linux, where /proc/self/fd/N points; elsewhere Java's
     * console (which needs standard input and output to be terminals). {@code TERM=dumb} is never one.
     */
    public static boolean isTerminal(int fd) {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            if (Files.isSymbolicLink(link)) {
                String target = Files.readSymbolicLink(link).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall back to the console below
        }
        return System.console() != null;
    }
}

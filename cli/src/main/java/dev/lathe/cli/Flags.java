package dev.lathe.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/**
 * The one place where flag values are parsed and range-checked. Every number is refused with its valid range when
 * it is not a number, NaN, infinite, or out of range: {@code --ratio must be a number in [0, 1), got 'NaN'}.
 */
public final class Flags {
    /** Threads beyond the machine's processors only make ONNX Runtime's spinning workers fight (minutes at 1000). */
    public static final int MAX_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors()) * 4;

    /** Upper bounds that no real run reaches, so a typo (an extra zero, a pasted id) fails fast instead of hanging. */
    public static final int MAX_BATCH = 65_536;
    public static final int MAX_COUNT = 1_000_000_000;
    public static final int MAX_RESOLUTION = 16_384;
    public static final int MAX_CLASSES = 1_000_000;

    private Flags() {}

    /** An integer flag in [min, max], or {@code fallback} when absent. */
    public static int intIn(CommandLine cmd, String name, int min, int max, int fallback) {
        return cmd.hasOption(name) ? (int) longIn(cmd, name, min, max, fallback) : fallback;
    }

    /** A long flag in [min, max], or {@code fallback} when absent. */
    public static long longIn(CommandLine cmd, String name, long min, long max, long fallback) {
        String v = cmd.getOptionValue(name);
        return v == null ? fallback : longValue("--" + name, v, min, max);
    }

    /**
     * An integer in [min, max] given as text, for flags and for values inside a flag ({@code --data
     * synthetic:classes=10}); {@code what} names it in the error.
     */
    public static long longValue(String what, String v, long min, long max) {
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        if (min == 1) {
            throw new UserError(what + " must be a positive integer, got '" + v + "' (valid: "
                    + (max == Long.MAX_VALUE ? "1 or more" : "1 to " + max) + ")");
        }
        throw new UserError(what + " must be an integer in " + range(min, max) + ", got '" + v + "'");
    }

    /** A positive integer flag up to {@code max}. */
    public static int positiveInt(CommandLine cmd, String name, int max, int fallback) {
        return intIn(cmd, name, 1, max, fallback);
    }

    /** {@code --threads}: 1 to {@link #MAX_THREADS} (four per available processor). */
    public static int threads(CommandLine cmd, int fallback) {
        return intIn(cmd, "threads", 1, MAX_THREADS, fallback);
    }

    /**
     * A finite number in the interval from {@code lo} to {@code hi}, each end open or closed as given; NaN and
     * infinities are refused like any other value outside the range.
     */
    public static double doubleIn(CommandLine cmd, String name, double lo, boolean loClosed, double hi,
            boolean hiClosed, double fallback) {
        String v = cmd.getOptionValue(name);
        return v == null ? fallback : doubleValue("--" + name, v, lo, loClosed, hi, hiClosed);
    }

    /** A finite number in the given interval, given as text; {@code what} names it in the error. */
    public static double doubleValue(String what, String v, double lo, boolean loClosed, double hi, boolean hiClosed) {
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        boolean ok = Double.isFinite(d) && (loClosed ? d >= lo : d > lo) && (hiClosed ? d <= hi : d < hi);
        if (!ok) {
            throw new UserError(what + " must be a number in " + (loClosed ? "[" : "(") + num(lo) + ", "
                    + num(hi) + (hiClosed ? "]" : ")") + ", got '" + v + "'");
        }
        return d;
    }

    /** A path flag, or null when absent. */
    public static Path path(CommandLine cmd, String name) {
        String v = cmd.getOptionValue(name);
        if (v != null && v.isBlank()) {
            throw new UserError("--" + name + " needs a path, got an empty value");
        }
        return v == null ? null : Path.of(v);
    }

    /**
     * Refuses a flag given twice ({@code --ratio 0.3 --ratio 0.5} would silently use one of them), except those the
     * command declares repeatable.
     */
    static void refuseRepeats(CommandLine cmd, Set<String> repeatable) {
        Map<String, Integer> seen = new HashMap<>();
        for (Option o : cmd.getOptions()) {
            String key = o.getLongOpt() != null ? o.getLongOpt() : o.getOpt();
            if (!repeatable.contains(key) && seen.merge(key, 1, Integer::sum) == 2) {
                throw new UserError("--" + key + " is given twice; give it once");
            }
        }
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "[" + min + ", ∞)" : "[" + min + ", " + max + "]";
    }

    private static String num(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "∞" : "-∞";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}

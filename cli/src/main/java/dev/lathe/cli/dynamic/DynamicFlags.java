package dev.lathe.cli.dynamic;

import dev.lathe.cli.Flags;
import dev.lathe.cli.UserError;
import dev.lathe.runtime.dynamic.StageCosts;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** Flags shared by the {@code lathe dynamic} commands: thresholds, stage costs, the authors' result file. */
final class DynamicFlags {
    /** The authors' constants ({@code dynamic_inference.py}): DenseNet-201 at 95x95 and AnchorNet at 224x224. */
    static final double AUTHORS_DOWNSTREAM_GMACS = 0.790;
    static final double AUTHORS_ANCHORNET_GMACS = 0.06;

    private static final Pattern REFERENCE_ROW =
            Pattern.compile("thresholds:\\[([^\\]]*)\\]\\s+Acc:([0-9.]+),\\s*FLOPs:([0-9.]+)G.*");

    private DynamicFlags() {}

    /** The --table path of a command that takes no positional argument (eval, search). */
    static Path table(CommandLine cmd) {
        if (!cmd.getArgList().isEmpty()) {
            throw new UserError("unexpected argument '" + cmd.getArgList().get(0) + "'; the table is given with --table");
        }
        Path table = Flags.path(cmd, "table");
        if (table == null) {
            throw new UserError("--table T is required (the authors' .pth or a lathe dynamic table output)");
        }
        return table;
    }

    static void addCostOptions(Options o) {
        o.addOption(Option.builder().longOpt("stage-gmacs").hasArg().argName("C0,C1,...").desc("GMACs an image has"
                + " spent when it exits at each stage (default: the table's own stage_gmacs when it has them, else"
                + " the AnchorNet accounting of --downstream-gmacs and --anchornet-gmacs)").build());
        o.addOption(Option.builder().longOpt("downstream-gmacs").hasArg().argName("G").desc("GMACs of one run of the"
                + " resized or patch net (default " + AUTHORS_DOWNSTREAM_GMACS + ", the authors' DenseNet-201 at 95x95)")
                .build());
        o.addOption(Option.builder().longOpt("anchornet-gmacs").hasArg().argName("G").desc("GMACs of AnchorNet, run once"
                + " before the first patch (default " + AUTHORS_ANCHORNET_GMACS + ")").build());
    }

    /** A comma-separated list of numbers in [lo, hi]; {@code what} names the flag in errors. */
    static double[] numbers(String what, String value, double lo, double hi) {
        String v = value.replace('\u00a0', ' ').trim(); // the authors' txt separates entries with no-break spaces
        if (v.startsWith("[") && v.endsWith("]")) { // the authors' printed form, pasted
            v = v.substring(1, v.length() - 1);
        }
        String[] parts = v.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isBlank()) {
                throw new UserError(what + ": empty entry " + (i + 1) + " in '" + value + "'");
            }
            out[i] = Flags.doubleValue(what + " entry " + (i + 1), parts[i], lo, true, hi, true);
        }
        return out;
    }

    static double[] thresholds(String value) {
        return numbers("--thresholds", value, 0, 1);
    }

    /** Costs for {@code stages} stages: explicit, from the table file, or the AnchorNet accounting. */
    static Costs costs(CommandLine cmd, ExitTableFile file, int stages) {
        boolean anchorFlags = cmd.hasOption("downstream-gmacs") || cmd.hasOption("anchornet-gmacs");
        if (cmd.hasOption("stage-gmacs")) {
            if (anchorFlags) {
                throw new UserError("give --stage-gmacs or --downstream-gmacs/--anchornet-gmacs, not both");
            }
            double[] c = numbers("--stage-gmacs", cmd.getOptionValue("stage-gmacs"), 0, 1e6);
            if (c.length < stages) {
                throw new UserError("--stage-gmacs has " + c.length + " costs for " + stages + " stages");
            }
            return new Costs(new StageCosts(c), "from --stage-gmacs");
        }
        if (file.stageGmacs() != null && !anchorFlags) {
            return new Costs(new StageCosts(file.stageGmacs()), "counted on the graphs that made the table");
        }
        double down = Flags.doubleIn(cmd, "downstream-gmacs", 0, false, 1e6, true, AUTHORS_DOWNSTREAM_GMACS);
        double anchor = Flags.doubleIn(cmd, "anchornet-gmacs", 0, true, 1e6, true, AUTHORS_ANCHORNET_GMACS);
        return new Costs(StageCosts.anchorNet(down, anchor, Math.max(stages, file.table().stages())),
                String.format(Locale.ROOT, "AnchorNet accounting: downstream %s, anchornet %s GMACs%s", num(down),
                        num(anchor), anchorFlags ? "" : " (the authors' constants)"));
    }

    record Costs(StageCosts costs, String how) {
        String describe(int stages) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < stages; j++) {
                sb.append(j == 0 ? "" : " ").append(fixed(costs.macs(j), 3));
            }
            return sb + " (" + how + ")";
        }
    }

    /** One row of the authors' {@code densenet_acc_flops.txt}: thresholds and the digits they printed. */
    record ReferenceRow(int line, double[] thresholds, String accuracy, String gmacs) {
        double accuracyValue() {
            return Double.parseDouble(accuracy);
        }

        double gmacsValue() {
            return Double.parseDouble(gmacs);
        }
    }

    static List<ReferenceRow> reference(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserError("reference file not found: " + file);
        }
        List<ReferenceRow> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replace('\u00a0', ' ').trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = REFERENCE_ROW.matcher(line);
            if (!m.matches()) {
                throw new UserError(file + ":" + (i + 1) + ": not a 'thresholds:[...] Acc:A, FLOPs:FG' row: " + line);
            }
            rows.add(new ReferenceRow(i + 1, numbers(file + ":" + (i + 1) + " thresholds", m.group(1), 0, 1),
                    m.group(2), m.group(3)));
        }
        if (rows.isEmpty()) {
            throw new UserError(file + ": no 'thresholds:[...] Acc:A, FLOPs:FG' rows");
        }
        return rows;
    }

    /**
     * {@code x} with {@code digits} decimals as Python's {@code '{:.4f}'.format} prints it: the exact binary value
     * rounded, so k/50000 accuracies whose decimal form ends in 5 round the way the authors' files show them
     * ({@code String.format} rounds the shortest decimal form half-up instead).
     */
    static String fixed(double x, int digits) {
        return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** A threshold list as the authors print it: {@code [0.5, 0.8, 0.9, 0.9, 0]}. */
    static String list(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(num(v[i]));
        }
        return sb.append(']').toString();
    }

    static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : BigDecimal.valueOf(d)
                .stripTrailingZeros().toPlainString();
    }
}

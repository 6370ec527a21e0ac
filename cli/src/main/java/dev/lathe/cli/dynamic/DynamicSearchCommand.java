package dev.lathe.cli.dynamic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.ExitCode;
import dev.lathe.cli.Flags;
import dev.lathe.cli.OutputPaths;
import dev.lathe.cli.UserError;
import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.runtime.dynamic.ExitResult;
import dev.lathe.runtime.dynamic.ExitTable;
import dev.lathe.runtime.dynamic.ParetoFront;
import dev.lathe.runtime.dynamic.ThresholdSearch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe dynamic search}: every threshold setting on a grid evaluated on a table, the Pareto front of accuracy
 * vs average GMACs printed and written as {@code front.csv} and {@code front.png}; with a budget or an accuracy floor,
 * the setting that meets it.
 */
public final class DynamicSearchCommand implements Command {
    static final double DEFAULT_STEP = 0.1;
    static final long MAX_SETTINGS = 5_000_000;

    @Override
    public String name() {
        return "dynamic search";
    }

    @Override
    public String summary() {
        return "Pareto front of accuracy vs average GMACs over a threshold grid on a table; CSV and PNG plot";
    }

    @Override
    public String usage() {
        return "--table T.pth|T.npz -o DIR [--stages S] [--step D] [--budget-gmacs G | --min-accuracy A]"
                + " [--reference acc_flops.txt] [--json] [--stage-gmacs C0,C1,... | --downstream-gmacs G"
                + " --anchornet-gmacs G]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("table").hasArg().argName("T").desc("the confidence table (.pth, .npz)")
                .build());
        o.addOption(Option.builder().longOpt("stages").hasArg().argName("S").desc("stages to use, 2 to the table's"
                + " column count (default: all; the authors' DenseNet results use 5 of the released table's 6)")
                .build());
        o.addOption(Option.builder().longOpt("step").hasArg().argName("D").desc("grid step: each stage but the last"
                + " tries thresholds 0, D, 2D, ..., 1 (default " + DEFAULT_STEP + "); the last stage keeps everyone")
                .build());
        o.addOption(Option.builder().longOpt("budget-gmacs").hasArg().argName("G").desc("report the most accurate"
                + " setting whose average GMACs per image are at most G").build());
        o.addOption(Option.builder().longOpt("min-accuracy").hasArg().argName("A").desc("report the cheapest setting"
                + " whose accuracy (a fraction in [0, 1]) is at least A").build());
        o.addOption(Option.builder().longOpt("reference").hasArg().argName("acc_flops.txt").desc("the authors'"
                + " printed results, overlaid on the plot").build());
        o.addOption(Option.builder().longOpt("json").desc("print the front (and the chosen setting) as JSON").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("DIR").desc("folder for front.csv and"
                + " front.png (created if its parent exists)").build());
        DynamicFlags.addCostOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        Path tablePath = DynamicFlags.table(cmd);
        Path dirFlag = Flags.path(cmd, "output");
        if (dirFlag == null) {
            throw new UserError("no output folder; pass -o DIR (front.csv and front.png go there)");
        }
        if (cmd.hasOption("budget-gmacs") && cmd.hasOption("min-accuracy")) {
            throw new UserError("give --budget-gmacs or --min-accuracy, not both");
        }
        double budget = Flags.doubleIn(cmd, "budget-gmacs", 0, false, 1e6, true, Double.NaN);
        double floor = Flags.doubleIn(cmd, "min-accuracy", 0, true, 1, true, Double.NaN);
        double step = Flags.doubleIn(cmd, "step", 0, false, 1, true, DEFAULT_STEP);
        OutputPaths.folder(dirFlag, false);
        List<DynamicFlags.ReferenceRow> reference = cmd.hasOption("reference")
                ? DynamicFlags.reference(Flags.path(cmd, "reference")) : List.of();
        ExitTableFile file = ExitTableFile.read(tablePath);
        ExitTable table = file.table();
        int stages = Flags.intIn(cmd, "stages", 2, Math.max(2, table.stages()), table.stages());
        if (stages > table.stages()) {
            throw new UserError("--stages " + stages + " but " + tablePath + " has " + table.stages() + " stages");
        }
        int points = (int) Math.floor(1 / step + 1e-9) + 1;
        double[] grid = new double[points];
        for (int k = 0; k < points; k++) {
            grid[k] = Math.min(1, Math.round(k * step * 1e9) / 1e9);
        }
        double settings = Math.pow(points, stages - 1);
        if (settings > MAX_SETTINGS) {
            throw new UserError(String.format("--step %s over %d stages is %.0f settings (limit %d); use a coarser"
                    + " --step or fewer --stages", DynamicFlags.num(step), stages, settings, MAX_SETTINGS));
        }
        DynamicFlags.Costs costs = DynamicFlags.costs(cmd, file, stages);
        List<ExitResult> all = ThresholdSearch.sweep(table, costs.costs(), Collections.nCopies(stages - 1, grid));
        List<ExitResult> front = ParetoFront.of(all);
        ExitResult chosen = null;
        String choice = null;
        if (!Double.isNaN(budget)) {
            chosen = ParetoFront.withinBudget(front, budget);
            choice = chosen == null ? "no setting stays within " + DynamicFlags.num(budget) + " GMACs (cheapest: "
                    + DynamicFlags.fixed(front.get(0).averageMacs(), 4) + ")"
                    : "most accurate within " + DynamicFlags.num(budget) + " GMACs";
        } else if (!Double.isNaN(floor)) {
            chosen = ParetoFront.reaching(front, floor);
            choice = chosen == null ? "no setting reaches accuracy " + DynamicFlags.num(floor) + " (best: "
                    + DynamicFlags.fixed(front.get(front.size() - 1).accuracy(), 5) + ")"
                    : "cheapest with accuracy >= " + DynamicFlags.num(floor);
        }
        Path dir = OutputPaths.folder(dirFlag, true);
        Path csv = dir.resolve("front.csv");
        Path png = dir.resolve("front.png");
        AtomicFiles.write(csv, tmp -> Files.writeString(tmp, csv(front, stages), StandardCharsets.UTF_8));
        List<double[]> refPoints = new ArrayList<>();
        for (DynamicFlags.ReferenceRow r : reference) {
            refPoints.add(new double[] {r.accuracyValue(), r.gmacsValue()});
        }
        String title = "accuracy vs GMACs, " + stages + " stages"
                + (file.setup().isEmpty() ? "" : " (" + file.setup() + ")");
        FrontChart.write(png, title, front, refPoints, chosen);
        if (cmd.hasOption("json")) {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = json.createObjectNode();
            root.put("settings", all.size());
            ArrayNode f = root.putArray("front");
            for (ExitResult r : front) {
                f.add(DynamicEvalCommand.result(json, r));
            }
            if (chosen != null) {
                root.set("chosen", DynamicEvalCommand.result(json, chosen));
            }
            root.put("csv", csv.toString());
            root.put("png", png.toString());
            ctx.out().println(json.writeValueAsString(root));
        } else {
            ctx.out().printf("table %s: %d images, %d stages, grid step %s: %d settings, %d on the Pareto front%n",
                    tablePath, table.images(), stages, DynamicFlags.num(step), all.size(), front.size());
            ctx.out().println("GMACs at exit per stage: " + costs.describe(stages));
            ctx.out().printf("%-32s %9s %8s  %s%n", "thresholds", "accuracy", "GMACs", "exits per stage");
            for (ExitResult r : front) {
                ctx.out().printf("%-32s %9s %8s  %s%n", DynamicFlags.list(r.thresholds()),
                        DynamicFlags.fixed(r.accuracy(), 5), DynamicFlags.fixed(r.averageMacs(), 4),
                        DynamicEvalCommand.exits(r.exits()));
            }
            if (chosen != null) {
                ctx.out().println(choice + (chosen == null ? "" : ": " + DynamicFlags.list(chosen.thresholds())
                        + " accuracy " + DynamicFlags.fixed(chosen.accuracy(), 5) + ", "
                        + DynamicFlags.fixed(chosen.averageMacs(), 4) + " GMACs"));
            }
            ctx.out().println("wrote " + csv + " and " + png);
        }
        if (choice != null && chosen == null) { // the front is written all the same: it shows what is reachable
            ctx.err().println("lathe dynamic search: " + choice);
            return ExitCode.USER_ERROR;
        }
        return ExitCode.OK;
    }

    static String csv(List<ExitResult> front, int stages) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < stages; j++) {
            sb.append("tau_").append(j).append(',');
        }
        sb.append("accuracy,average_gmacs");
        for (int j = 0; j < stages; j++) {
            sb.append(",exits_").append(j);
        }
        sb.append('\n');
        for (ExitResult r : front) {
            for (double t : r.thresholds()) {
                sb.append(DynamicFlags.num(t)).append(',');
            }
            sb.append(r.accuracy()).append(',').append(r.averageMacs());
            for (long e : r.exits()) {
                sb.append(',').append(e);
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}

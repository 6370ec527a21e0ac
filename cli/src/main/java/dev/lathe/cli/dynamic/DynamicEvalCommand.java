package dev.lathe.cli.dynamic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.ExitCode;
import dev.lathe.cli.Flags;
import dev.lathe.cli.UserError;
import dev.lathe.runtime.dynamic.EarlyExit;
import dev.lathe.runtime.dynamic.ExitResult;
import dev.lathe.runtime.dynamic.ExitTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe dynamic eval}: the early-exit rule of {@code dynamic_inference.py} applied to a confidence table.
 * With {@code --reference} it re-evaluates every row of the authors' {@code densenet_acc_flops.txt} and says, row by
 * row, whether the table reproduces the printed digits.
 */
public final class DynamicEvalCommand implements Command {
    @Override
    public String name() {
        return "dynamic eval";
    }

    @Override
    public String summary() {
        return "early-exit accuracy, average GMACs and exits per stage of thresholds on a table (.pth/.npz)";
    }

    @Override
    public String usage() {
        return "--table T.pth|T.npz --thresholds T0,T1,...|--reference acc_flops.txt [--json] [--stage-gmacs C0,C1,..."
                + " | --downstream-gmacs G --anchornet-gmacs G]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("table").hasArg().argName("T").desc("the per-image confidence and"
                + " correctness table: the authors' .pth (torch.save) or a lathe dynamic table output (.pth, .npz)")
                .build());
        o.addOption(Option.builder().longOpt("thresholds").hasArg().argName("T0,T1,...").desc("one threshold per stage"
                + " in [0, 1]; an image exits at the first stage whose confidence is strictly above its threshold; the"
                + " last stage keeps everyone left (the authors pass 0 there)").build());
        o.addOption(Option.builder().longOpt("reference").hasArg().argName("acc_flops.txt").desc("evaluate every row"
                + " of a result file in the authors' format ('thresholds:[...] Acc:A, FLOPs:FG') and compare with the"
                + " printed digits").build());
        o.addOption(Option.builder().longOpt("json").desc("print JSON (accuracy, average_gmacs, exits, ...)").build());
        DynamicFlags.addCostOptions(o);
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        Path tablePath = DynamicFlags.table(cmd);
        if (cmd.hasOption("thresholds") == cmd.hasOption("reference")) {
            throw new UserError("give --thresholds T0,T1,... or --reference acc_flops.txt (one of them)");
        }
        ExitTableFile file = ExitTableFile.read(tablePath);
        ExitTable table = file.table();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        if (cmd.hasOption("thresholds")) {
            double[] tau = DynamicFlags.thresholds(cmd.getOptionValue("thresholds"));
            checkStages(tablePath, table, tau);
            DynamicFlags.Costs costs = DynamicFlags.costs(cmd, file, tau.length);
            ExitResult r = EarlyExit.evaluate(table, tau, costs.costs());
            if (cmd.hasOption("json")) {
                ObjectNode root = result(json, r);
                root.put("images", table.images());
                root.put("table", tablePath.toString());
                ArrayNode c = root.putArray("stage_gmacs");
                for (int j = 0; j < tau.length; j++) {
                    c.add(costs.costs().macs(j));
                }
                ctx.out().println(json.writeValueAsString(root));
                return ExitCode.OK;
            }
            header(ctx, tablePath, file, costs, tau.length);
            long right = Math.round(r.accuracy() * table.images());
            ctx.out().printf("thresholds %s: accuracy %s (%d/%d), %s GMACs per image%n", DynamicFlags.list(tau),
                    DynamicFlags.fixed(r.accuracy(), 5), right, table.images(),
                    DynamicFlags.fixed(r.averageMacs(), 4));
            ctx.out().println("exits per stage: " + exits(r.exits()));
            return ExitCode.OK;
        }
        List<DynamicFlags.ReferenceRow> rows = DynamicFlags.reference(Flags.path(cmd, "reference"));
        int stages = 0;
        for (DynamicFlags.ReferenceRow row : rows) {
            checkStages(tablePath, table, row.thresholds());
            stages = Math.max(stages, row.thresholds().length);
        }
        DynamicFlags.Costs costs = DynamicFlags.costs(cmd, file, stages);
        List<Comparison> done = new ArrayList<>();
        for (DynamicFlags.ReferenceRow row : rows) {
            done.add(new Comparison(row, EarlyExit.evaluate(table, row.thresholds(), costs.costs())));
        }
        if (cmd.hasOption("json")) {
            ArrayNode out = json.createArrayNode();
            for (Comparison c : done) {
                ObjectNode n = result(json, c.result);
                n.put("line", c.row.line());
                n.put("printed_accuracy", c.row.accuracy());
                n.put("printed_gmacs", c.row.gmacs());
                n.put("accuracy_matches", c.accuracyMatches());
                n.put("gmacs_matches", c.gmacsMatches());
                out.add(n);
            }
            ctx.out().println(json.writeValueAsString(out));
            return ExitCode.OK;
        }
        header(ctx, tablePath, file, costs, stages);
        ctx.out().printf("%-28s %8s %8s %8s %8s  %s%n", "thresholds", "Acc txt", "Acc", "GMAC txt", "GMACs",
                "reproduced");
        int both = 0;
        List<String> differ = new ArrayList<>();
        for (Comparison c : done) {
            boolean ok = c.accuracyMatches() && c.gmacsMatches();
            both += ok ? 1 : 0;
            if (!ok) {
                differ.add("line " + c.row.line());
            }
            ctx.out().printf("%-28s %8s %8s %8s %8s  %s%n", DynamicFlags.list(c.row.thresholds()), c.row.accuracy(),
                    DynamicFlags.fixed(c.result.accuracy(), 5), c.row.gmacs(),
                    DynamicFlags.fixed(c.result.averageMacs(), 4),
                    ok ? "yes" : (c.accuracyMatches() ? "" : "ACCURACY DIFFERS ") + (c.gmacsMatches() ? ""
                            : "GMACS DIFFER (" + DynamicFlags.fixed(c.result.averageMacs(), c.row.gmacs().length()
                            - c.row.gmacs().indexOf('.') - 1) + " at the printed digits)"));
        }
        long acc = done.stream().filter(Comparison::accuracyMatches).count();
        long gm = done.stream().filter(Comparison::gmacsMatches).count();
        ctx.out().printf("%d of %d rows reproduce both printed values (accuracy %d, GMACs %d)%s%n", both, done.size(),
                acc, gm, differ.isEmpty() ? "" : "; differing: " + String.join(", ", differ));
        return ExitCode.OK;
    }

    private static void checkStages(Path file, ExitTable table, double[] tau) {
        if (tau.length > table.stages()) {
            throw new UserError(tau.length + " thresholds for " + file + ", which has " + table.stages()
                    + " stages (columns)");
        }
    }

    private static void header(CliContext ctx, Path file, ExitTableFile f, DynamicFlags.Costs costs, int stages) {
        ctx.out().printf("table %s: %d images x %d stages%s%n", file, f.table().images(), f.table().stages(),
                f.setup().isEmpty() ? "" : " (setup " + f.setup() + ")");
        ctx.out().println("GMACs at exit per stage: " + costs.describe(stages));
    }

    static ObjectNode result(ObjectMapper json, ExitResult r) {
        ObjectNode n = json.createObjectNode();
        ArrayNode t = n.putArray("thresholds");
        for (double d : r.thresholds()) {
            t.add(d);
        }
        n.put("accuracy", r.accuracy());
        n.put("average_gmacs", r.averageMacs());
        ArrayNode e = n.putArray("exits");
        for (long x : r.exits()) {
            e.add(x);
        }
        return n;
    }

    static String exits(long[] exits) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < exits.length; j++) {
            sb.append(j == 0 ? "" : " ").append(exits[j]);
        }
        return sb.toString();
    }

    private record Comparison(DynamicFlags.ReferenceRow row, ExitResult result) {
        boolean accuracyMatches() {
            return DynamicFlags.fixed(result.accuracy(), decimals(row.accuracy())).equals(row.accuracy());
        }

        boolean gmacsMatches() {
            return DynamicFlags.fixed(result.averageMacs(), decimals(row.gmacs())).equals(row.gmacs());
        }

        private static int decimals(String printed) {
            int dot = printed.indexOf('.');
            return dot < 0 ? 0 : printed.length() - dot - 1;
        }
    }
}

package dev.lathe.cli;

import dev.lathe.graph.count.LayerCount;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.pruning.Pruner;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/** What {@code lathe prune} and the demo's prune stage print: per-layer counts before and after, and a summary. */
final class PruneReport {
    private PruneReport() {}

    /** Per weighted layer and in total: parameters and MACs before and after. */
    static void print(Pruner.Result r, PrintStream out, double seconds) {
        printTable(r.before(), r.after(), out);
        ModelCount bt = r.before();
        ModelCount at = r.after();
        out.printf("params %.2f%% kept, MACs %.2f%% kept; %d channels removed in %d of %d prunable groups "
                + "(%d groups); %.2f s%n", 100.0 * at.params() / bt.params(), 100.0 * at.macs() / Math.max(1, bt.macs()),
                r.plan().removedChannels(), r.plan().groups().size(), r.prunableGroups(), r.groups(), seconds);
        if (!r.unscored().isEmpty()) {
            out.println("not scored by " + r.plan().criterion() + " (kept): " + String.join(", ", r.unscored()));
        }
        for (String b : r.blocked()) {
            out.println("fixed: " + b);
        }
    }

    /** Params and MACs per weighted layer and in total, before and after. */
    static void printTable(ModelCount before, ModelCount afterCount, PrintStream out) {
        Map<String, LayerCount> after = new HashMap<>();
        for (LayerCount c : afterCount.nodes()) {
            after.put(c.name(), c);
        }
        out.printf("%-44s %-14s %12s %12s %14s %14s%n", "layer", "op", "params", "params'", "MACs", "MACs'");
        for (LayerCount b : before.nodes()) {
            if (b.params() == 0 && b.macs() <= 0) {
                continue;
            }
            LayerCount a = after.get(b.name());
            out.printf("%-44s %-14s %12d %12d %14d %14d%n", shorten(b.name(), 44), b.opType(), b.params(),
                    a == null ? 0 : a.params(), Math.max(0, b.macs()), a == null ? 0 : Math.max(0, a.macs()));
        }
        out.printf("%-59s %12d %12d %14d %14d%n", "total", before.params(), afterCount.params(), before.macs(),
                afterCount.macs());
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : "…" + s.substring(s.length() - n + 1);
    }
}

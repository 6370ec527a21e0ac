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
        out.printf("params %.2f%% kept, %s; %d channels removed in %d of %d prunable groups "
                + "(%d groups); %.2f s%n", 100.0 * at.params() / bt.params(), macsKept(bt, at),
                r.plan().removedChannels(), r.plan().groups().size(), r.prunableGroups(), r.groups(), seconds);
        if (!r.unscored().isEmpty()) {
            out.println("not scored by " + r.plan().criterion() + " (kept): " + String.join(", ", r.unscored()));
        }
        for (String b : r.blocked()) {
            out.println("fixed: " + b);
        }
    }

    /**
     * "MACs 48.20% kept", or why there is no such number: a model with a symbolic height or width has no MAC count
     * (a percentage of a partial sum would read like a result, e.g. "0.00% kept").
     */
    static String macsKept(ModelCount before, ModelCount after) {
        if (!before.macsKnown() || !after.macsKnown() || before.macs() == 0) {
            return "MACs unknown (" + (before.macs() == 0 && before.macsKnown() ? "the model has no Conv, Gemm or"
                    + " MatMul" : "sizes are symbolic, e.g. a dynamic height or width; export with a fixed input size"
                    + " to count them") + ")";
        }
        return String.format("MACs %.2f%% kept", 100.0 * after.macs() / before.macs());
    }

    /** The one-line summary kept in the model's metadata: criterion-free counts, e.g. "params 61.2% kept, MACs ...". */
    static String summary(ModelCount before, ModelCount after) {
        return String.format("params %,d -> %,d (%.2f%% kept), %s", before.params(), after.params(),
                100.0 * after.params() / Math.max(1, before.params()), macsKept(before, after));
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
            out.printf("%-44s %-14s %12d %12d %14s %14s%n", shorten(b.name(), 44), b.opType(), b.params(),
                    a == null ? 0 : a.params(), macs(b.macs()), a == null ? "0" : macs(a.macs()));
        }
        out.printf("%-59s %12d %12d %14s %14s%n", "total", before.params(), afterCount.params(),
                before.macsKnown() ? macs(before.macs()) : "?", afterCount.macsKnown() ? macs(afterCount.macs()) : "?");
    }

    private static String macs(long m) {
        return m < 0 ? "?" : Long.toString(m);
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : "…" + s.substring(s.length() - n + 1);
    }
}

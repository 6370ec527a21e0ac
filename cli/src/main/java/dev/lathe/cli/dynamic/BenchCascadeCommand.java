package dev.lathe.cli.dynamic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.ExitCode;
import dev.lathe.cli.Flags;
import dev.lathe.cli.SessionFlags;
import dev.lathe.cli.UserError;
import dev.lathe.graph.ir.Model;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import dev.lathe.runtime.dynamic.ExitResult;
import dev.lathe.runtime.dynamic.ExitTable;
import dev.lathe.runtime.dynamic.StageCosts;
import dev.lathe.runtime.dynamic.ThresholdSearch;
import java.util.Collections;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe bench cascade}: throughput of the early-exit cascade against running every stage for every image,
 * on the same images, sessions and scheduler. The thresholds are given, or chosen on the images themselves to spend
 * a target fraction of the all-stages MACs: over thresholds at the 0, 5, ..., 100th percentiles of the observed
 * confidences, the setting within it that agrees most often with the all-stages prediction, ties to the one spending
 * the most (labels are not used: with seeded weights they mean nothing, and the choice is about cost). Reports
 * images/s of both, their ratio, the scheduler's share
 * of the cascade's time, and p50/p99 latency per exit stage. Models default to the zoo's AnchorNet and DenseNet-201 at
 * 95x95 with seeded weights (the MACs and shapes of the paper's setting).
 */
public final class BenchCascadeCommand implements Command {
    /** 260 synthetic validation images at AnchorNet's resolution; the first 256 are used unless --limit says. */
    static final String DEFAULT_DATA = "synthetic:classes=10,size=224,val-per-class=26";

    @Override
    public String name() {
        return "bench cascade";
    }

    @Override
    public String summary() {
        return "early-exit cascade vs all stages: throughput, scheduler share, latency per exit stage";
    }

    @Override
    public String usage() {
        return "[--anchornet A.onnx --resized R.onnx --patch P.onnx] [--data SPEC] [--thresholds T0,... |"
                + " --target-fraction F] [--stages S] [--limit N] [--batch B] [--rounds R] [--threads T] [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        CascadeFlags.add(o);
        o.addOption(Option.builder().longOpt("thresholds").hasArg().argName("T0,T1,...").desc("the cascade's exit"
                + " thresholds (default: chosen to spend --target-fraction of the all-stages MACs)").build());
        o.addOption(Option.builder().longOpt("target-fraction").hasArg().argName("F").desc("share of the all-stages"
                + " MACs the chosen thresholds may spend, in (0, 1] (default 0.5)").build());
        o.addOption(Option.builder().longOpt("stages").hasArg().argName("S").desc("stages: the resized image plus S-1"
                + " patches (default 5, the authors' 4 patches)").build());
        o.addOption(Option.builder().longOpt("rounds").hasArg().argName("R").desc("timed passes over the images for"
                + " each mode, after one warm-up pass (default 3)").build());
        o.addOption(Option.builder().longOpt("json").desc("print JSON").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        boolean given = cmd.hasOption("anchornet") || cmd.hasOption("resized") || cmd.hasOption("patch");
        int stages = cmd.hasOption("thresholds") ? DynamicFlags.thresholds(cmd.getOptionValue("thresholds")).length
                : Flags.intIn(cmd, "stages", 2, 16, 5);
        double fraction = Flags.doubleIn(cmd, "target-fraction", 0, false, 1, true, 0.5);
        int rounds = Flags.intIn(cmd, "rounds", 1, 1000, 3);
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, CascadeFlags.DEFAULT_BATCH);
        CascadeSettings probe = CascadeFlags.settings(cmd, new double[stages]);
        try (AnchorCascade cascade = given ? CascadeFlags.open(cmd, probe) : zoo(cmd, probe)) {
            long[] in = DynamicTableCommand.shape(cascade);
            CascadeFlags.Images images = cmd.hasOption("data") ? CascadeFlags.images(cmd, in[2], in[3])
                    : CascadeFlags.images(DEFAULT_DATA, Flags.positiveInt(cmd, "limit", Flags.MAX_COUNT, 256), in[2],
                    in[3]);
            double[] tau;
            String how;
            if (cmd.hasOption("thresholds")) {
                tau = DynamicFlags.thresholds(cmd.getOptionValue("thresholds"));
                how = "given";
            } else {
                ExitResult pick = choose(cascade, images, batch, fraction, stages);
                tau = pick.thresholds();
                how = String.format("chosen on these images: %s of the all-stages MACs, agreement with all stages %s",
                        DynamicFlags.fixed(pick.averageMacs() / (cascade.allStagesMacs() / 1e9), 3),
                        DynamicFlags.fixed(pick.accuracy(), 4));
            }
            double[] all = new double[stages];
            java.util.Arrays.fill(all, 1.0); // conf > 1 never holds: every image runs every stage
            AnchorCascade dynamic = cascade;
            DynamicRunCommand.RunReport staticRun = null;
            DynamicRunCommand.RunReport dynamicRun = null;
            try (AnchorCascade full = rebind(cascade, all); AnchorCascade cut = rebind(cascade, tau)) {
                DynamicRunCommand.run(full, images, batch); // warm-up of every stage's shapes
                DynamicRunCommand.run(cut, images, batch);
                for (int r = 0; r < rounds; r++) { // interleaved, so drift on the machine hits both alike
                    staticRun = merge(staticRun, DynamicRunCommand.run(full, images, batch));
                    dynamicRun = merge(dynamicRun, DynamicRunCommand.run(cut, images, batch));
                }
            }
            double sThroughput = staticRun.images() / staticRun.seconds();
            double dThroughput = dynamicRun.images() / dynamicRun.seconds();
            if (cmd.hasOption("json")) {
                ObjectMapper m = new ObjectMapper();
                ObjectNode root = m.createObjectNode();
                root.set("thresholds", m.valueToTree(tau));
                root.put("thresholds_how", how);
                root.set("cascade", dynamicRun.json(m));
                root.set("all_stages", staticRun.json(m));
                root.put("speedup", dThroughput / sThroughput);
                ctx.out().println(m.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
            } else {
                ctx.out().printf("%s, %s, batch %d, %d rounds%n", dynamic.runtimeName(), images.describe(), batch,
                        rounds);
                ctx.out().printf("thresholds %s (%s)%n", DynamicFlags.list(tau), how);
                ctx.out().println("-- all stages for every image:");
                staticRun.print(ctx.out());
                ctx.out().println("-- cascade:");
                dynamicRun.print(ctx.out());
                ctx.out().printf("cascade throughput %.2fx all stages%n", dThroughput / sThroughput);
            }
        }
        return ExitCode.OK;
    }

    private static AnchorCascade zoo(CommandLine cmd, CascadeSettings settings) {
        Model anchor = ModelZoo.get("anchornet").build(new ZooConfig(10, 224, 0));
        Model resized = ModelZoo.get("densenet201_95").build(new ZooConfig(10, 95, 1));
        Model patch = ModelZoo.get("densenet201_95").build(new ZooConfig(10, 95, 2));
        InferenceRuntime runtime = SessionFlags.runtime(cmd);
        return AnchorCascade.open(runtime, SessionFlags.config(cmd, runtime), anchor, resized, patch, settings);
    }

    /** The same sessions under other thresholds (the cascade does not own them through this view). */
    private static AnchorCascade rebind(AnchorCascade c, double[] tau) {
        return c.withExitThresholds(tau);
    }

    private static ExitResult choose(AnchorCascade cascade, CascadeFlags.Images images, int batch, double fraction,
            int stages) {
        int n = images.size();
        float[] conf = new float[n * stages];
        boolean[] right = new boolean[n * stages];
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            AnchorCascade.Trace t = cascade.trace(images.batch(from, to));
            for (int i = 0; i < to - from; i++) {
                long label = t.prediction(i, stages - 1); // agreement, not accuracy: seeded nets know no labels
                for (int j = 0; j < stages; j++) {
                    conf[(from + i) * stages + j] = t.confidence(i, j);
                    right[(from + i) * stages + j] = t.prediction(i, j) == label;
                }
            }
        }
        ExitTable table = new ExitTable(n, stages, conf, right);
        double[] gmacs = new double[stages];
        for (int j = 0; j < stages; j++) {
            gmacs[j] = cascade.stageMacs(j) / 1e9;
        }
        // candidates: the 0, 5, ..., 100th percentiles of the observed confidences (a fixed 0.05 grid misses
        // seeded nets, whose confidences sit in a narrow band); then the most agreeing setting within the budget,
        // ties (seeded nets agree with nothing) to the one spending the most of it
        float[] sorted = conf.clone();
        java.util.Arrays.sort(sorted);
        double[] grid = new double[21];
        for (int k = 0; k < grid.length; k++) {
            grid[k] = k == 0 ? 0 : k == grid.length - 1 ? 1 : sorted[(int) ((long) k * (sorted.length - 1) / 20)];
        }
        double budget = fraction * gmacs[stages - 1];
        ExitResult pick = null;
        for (ExitResult r : ThresholdSearch.sweep(table, new StageCosts(gmacs), Collections.nCopies(stages - 1,
                grid))) {
            if (r.averageMacs() <= budget && (pick == null || r.accuracy() > pick.accuracy()
                    || r.accuracy() == pick.accuracy() && r.averageMacs() > pick.averageMacs())) {
                pick = r;
            }
        }
        if (pick == null) {
            throw new UserError("no threshold setting spends at most " + fraction + " of the all-stages MACs");
        }
        return pick;
    }

    private static DynamicRunCommand.RunReport merge(DynamicRunCommand.RunReport a, DynamicRunCommand.RunReport b) {
        if (a == null) {
            return b;
        }
        long[] exits = a.exits().clone();
        List<List<Float>> latency = new java.util.ArrayList<>();
        for (int j = 0; j < exits.length; j++) {
            exits[j] += b.exits()[j];
            List<Float> l = new java.util.ArrayList<>(a.latency().get(j));
            l.addAll(b.latency().get(j));
            latency.add(l);
        }
        int n = a.images() + b.images();
        double acc = (a.accuracy() * a.images() + b.accuracy() * b.images()) / n;
        double gm = (a.averageGmacs() * a.images() + b.averageGmacs() * b.images()) / n;
        return new DynamicRunCommand.RunReport(n, acc, gm, exits, latency, a.seconds() + b.seconds(),
                b.allStagesGmacs(), a.sessionNanos() + b.sessionNanos(), a.resizeNanos() + b.resizeNanos(),
                a.totalNanos() + b.totalNanos());
    }
}

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
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import dev.lathe.runtime.dynamic.CascadeStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe dynamic run}: the real cascade over images: accuracy (when labelled), average GMACs, exits per stage,
 * latency per exit stage (time from a batch's start to the image's exit, p50/p99), throughput and the scheduler's
 * share of the time.
 */
public final class DynamicRunCommand implements Command {
    @Override
    public String name() {
        return "dynamic run";
    }

    @Override
    public String summary() {
        return "run the early-exit cascade on images: accuracy, GMACs, exits and latency per exit stage";
    }

    @Override
    public String usage() {
        return "--anchornet A.onnx --resized R.onnx --patch P.onnx --thresholds T0,T1,... --data SPEC [--iou ...]"
                + " [--no-quirk] [--limit N] [--batch B] [--runtime NAME] [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        CascadeFlags.add(o);
        o.addOption(CascadeFlags.thresholdsOption());
        o.addOption(Option.builder().longOpt("json").desc("print JSON").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        CascadeSettings settings = CascadeFlags.requiredSettings(cmd);
        double[] tau = settings.exitThresholds();
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, CascadeFlags.DEFAULT_BATCH);
        try (AnchorCascade cascade = CascadeFlags.open(cmd, settings)) {
            long[] in = DynamicTableCommand.shape(cascade);
            CascadeFlags.Images images = CascadeFlags.images(cmd, in[2], in[3]);
            RunReport r = run(cascade, images, batch);
            if (cmd.hasOption("json")) {
                ctx.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(r.json(new ObjectMapper())));
            } else {
                ctx.out().printf("cascade %s over %s%n", DynamicFlags.list(tau), images.describe());
                r.print(ctx.out());
            }
        }
        return ExitCode.OK;
    }

    /** Runs the cascade over every image in batches and gathers the report. */
    static RunReport run(AnchorCascade cascade, CascadeFlags.Images images, int batch) {
        int stages = cascade.settings().stages();
        int n = images.size();
        long[] labels = images.labels();
        long right = 0;
        double macs = 0;
        long[] exits = new long[stages];
        List<List<Float>> latency = new ArrayList<>();
        for (int j = 0; j < stages; j++) {
            latency.add(new ArrayList<>());
        }
        cascade.stats().reset();
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            HostTensor x = images.batch(from, to);
            try (Outputs o = cascade.run(Map.of(AnchorCascade.INPUT, x))) {
                long[] pred = o.get("prediction").toLongs();
                long[] stage = o.get("exit_stage").toLongs();
                long[] m = o.get("macs").toLongs();
                float[] ms = o.get("exit_ms").toFloats();
                for (int i = 0; i < to - from; i++) {
                    exits[(int) stage[i]]++;
                    macs += m[i];
                    latency.get((int) stage[i]).add(ms[i]);
                    if (labels != null && pred[i] == labels[from + i]) {
                        right++;
                    }
                }
            } catch (IllegalStateException e) {
                throw new UserError(e.getMessage());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        CascadeStats st = cascade.stats();
        return new RunReport(n, labels == null ? Double.NaN : (double) right / n, macs / n / 1e9, exits, latency,
                seconds, cascade.allStagesMacs() / 1e9, st.sessionNanos(), st.resizeNanos(), st.totalNanos());
    }

    /** One pass (or several merged): what the cascade did and where its time went. */
    record RunReport(int images, double accuracy, double averageGmacs, long[] exits, List<List<Float>> latency,
            double seconds, double allStagesGmacs, long sessionNanos, long resizeNanos, long totalNanos) {
        /** Time outside the three sessions, the stage-0 resize excluded (gathers, CAM, selection, softmax, ...). */
        double schedulerShare() {
            return totalNanos == 0 ? 0 : (double) (totalNanos - sessionNanos - resizeNanos) / totalNanos;
        }

        double resizeShare() {
            return totalNanos == 0 ? 0 : (double) resizeNanos / totalNanos;
        }

        static double percentile(List<Float> v, double p) {
            if (v.isEmpty()) {
                return Double.NaN;
            }
            float[] s = new float[v.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = v.get(i);
            }
            Arrays.sort(s);
            return s[Math.min(s.length - 1, (int) Math.ceil(p / 100 * s.length) - 1)];
        }

        void print(java.io.PrintStream out) {
            out.printf("images %d, accuracy %s, average %s GMACs per image (all stages: %s), %.1f images/s%n", images,
                    Double.isNaN(accuracy) ? "n/a (no labels)" : DynamicFlags.fixed(accuracy, 5),
                    DynamicFlags.fixed(averageGmacs, 4), DynamicFlags.fixed(allStagesGmacs, 4), images / seconds);
            out.printf("%-6s %8s %10s %10s%n", "stage", "exits", "p50 ms", "p99 ms");
            for (int j = 0; j < exits.length; j++) {
                if (exits[j] == 0) {
                    out.printf("%-6d %8d %10s %10s%n", j, 0, "-", "-");
                } else {
                    out.printf("%-6d %8d %10.2f %10.2f%n", j, exits[j], percentile(latency.get(j), 50),
                            percentile(latency.get(j), 99));
                }
            }
            out.printf("scheduler (outside the sessions: gathers, CAM, selection, softmax, bookkeeping): %.2f%% of"
                    + " the time; bicubic resize %.2f%%%n", 100 * schedulerShare(), 100 * resizeShare());
        }

        ObjectNode json(ObjectMapper m) {
            ObjectNode n = m.createObjectNode();
            n.put("images", images);
            if (!Double.isNaN(accuracy)) {
                n.put("accuracy", accuracy);
            }
            n.put("average_gmacs", averageGmacs);
            n.put("all_stages_gmacs", allStagesGmacs);
            ArrayNode e = n.putArray("exits");
            for (long x : exits) {
                e.add(x);
            }
            ArrayNode l = n.putArray("latency_ms");
            for (List<Float> v : latency) {
                ObjectNode s = l.addObject();
                if (v.isEmpty()) {
                    s.putNull("p50");
                    s.putNull("p99");
                } else {
                    s.put("p50", percentile(v, 50));
                    s.put("p99", percentile(v, 99));
                }
            }
            n.put("images_per_second", images / seconds);
            n.put("scheduler_share", schedulerShare());
            n.put("resize_share", resizeShare());
            return n;
        }
    }
}

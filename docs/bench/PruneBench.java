
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.pruning.Pruner;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.plan.PlanOptions;
import dev.lathe.pruning.plan.Planner;
import dev.lathe.pruning.surgery.Surgery;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;

/**
 * Lathe side of the pruning benchmark (docs/BENCHMARKS.md, "Pruning").
 * Reads the unpruned exports torch_pruning_peer.py wrote to {@code -Dlathe.bench.dir} (default /tmp/prune-bench),
 * times L1 pruning at channel ratio 0.3 (analysis, scoring and planning, surgery; model loading excluded, as the peer
 * excludes building the model), best of 3 in one JVM, and writes ResNet-50 pruned to 50% of its MACs for the ONNX
 * Runtime speed comparison. Each phase is reported in wall and in thread CPU seconds.
 *
 * <p>Run from the repository root with the CLI jar built: {@code java -cp cli/target/lathe.jar
 * docs/bench/PruneBench.java [-Dlathe.bench.dir=DIR]} (a source-file program: the benchmark is not a test).
 */
public class PruneBench {
    /** Thread CPU time beside wall time: on a machine shared with other work the wall time mostly measures waiting. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("lathe.bench.dir", "/tmp/prune-bench"));
        for (String name : new String[] {"resnet50", "densenet201"}) {
            Path file = dir.resolve(name + ".onnx");
            double[] best = null;
            double[] bestCpu = null;
            ModelCount before = null;
            ModelCount after = null;
            for (int rep = 0; rep < 3; rep++) {
                Model m = Onnx.load(file);
                if (before == null) {
                    before = ModelCounter.count(m);
                }
                long t0 = System.nanoTime();
                long c0 = CPU.getCurrentThreadCpuTime();
                ChannelGraph cg = new ChannelAnalyzer(Set.of()).analyze(m);
                long t1 = System.nanoTime();
                long c1 = CPU.getCurrentThreadCpuTime();
                Planner p = new Planner(cg, new MagnitudeImportance(1));
                Map<Integer, BitSet> removed = p.select(PlanOptions.ratio(0.3));
                long t2 = System.nanoTime();
                long c2 = CPU.getCurrentThreadCpuTime();
                Surgery.apply(cg, removed, Surgery.Mode.CUT);
                long t3 = System.nanoTime();
                long c3 = CPU.getCurrentThreadCpuTime();
                double[] t = {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9};
                if (best == null || t[0] + t[1] + t[2] < best[0] + best[1] + best[2]) {
                    best = t;
                    bestCpu = new double[] {(c1 - c0) / 1e9, (c2 - c1) / 1e9, (c3 - c2) / 1e9};
                }
                after = ModelCounter.count(m);
            }
            System.out.printf("{\"tool\": \"lathe\", \"model\": \"%s\", \"criterion\": \"l1\", \"ratio\": 0.3, "
                    + "\"graph_s\": %.3f, \"plan_s\": %.3f, \"cut_s\": %.3f, \"total_s\": %.3f, \"cpu_graph_s\": %.3f, "
                    + "\"cpu_plan_s\": %.3f, \"cpu_cut_s\": %.3f, \"cpu_total_s\": %.3f, \"macs_before\": %d, "
                    + "\"macs_after\": %d, \"params_before\": %d, \"params_after\": %d}%n", name, best[0], best[1],
                    best[2], best[0] + best[1] + best[2], bestCpu[0], bestCpu[1], bestCpu[2],
                    bestCpu[0] + bestCpu[1] + bestCpu[2], before.macs(), after.macs(), before.params(),
                    after.params());
        }
        for (boolean global : new boolean[] {false, true}) {
            for (int roundTo : new int[] {1, 16}) {
                Model m = Onnx.load(dir.resolve("resnet50.onnx"));
                long macs0 = ModelCounter.count(m).macs();
                Pruner.Result r = Pruner.prune(m, new MagnitudeImportance(1),
                        PlanOptions.ratio(0).withTargetMacs(0.5).withGlobal(global).withRoundTo(roundTo), Set.of());
                Path out = dir.resolve("resnet50_lathe_" + (global ? "global" : "local") + "_r" + roundTo + ".onnx");
                Files.deleteIfExists(out);
                Onnx.save(m, out);
                System.out.printf("{\"tool\": \"lathe\", \"model\": \"resnet50\", \"target_macs\": 0.5, \"global\": %s,"
                        + " \"round_to\": %d, \"macs_before\": %d, \"macs_after\": %d, \"file\": \"%s\"}%n", global,
                        roundTo, macs0, r.after().macs(), out);
            }
        }
    }
}

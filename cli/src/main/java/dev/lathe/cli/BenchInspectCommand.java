package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe bench inspect MODEL.onnx}: wall time of loading a model and of inspecting it (type inference plus
 * parameter and MAC counting), optionally of saving it again, over several runs in one process; reports the first
 * (cold) run, the median of the others, peak Java heap and the process's peak resident set (VmHWM), so that
 * "load + save does not double memory" can be read off directly. docs/BENCHMARKS.md records how it is run.
 */
public final class BenchInspectCommand implements Command {

    @Override
    public String name() {
        return "bench inspect";
    }

    @Override
    public String summary() {
        return "time model load, inspect (inference + counting) and optionally save; report peak heap and RSS";
    }

    @Override
    public String usage() {
        return "MODEL.onnx [--runs N] [--save-to FILE.onnx] [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("runs").hasArg().argName("N")
                .desc("runs in this process, each loading the file afresh (default 5)").build());
        o.addOption(Option.builder().longOpt("save-to").hasArg().argName("FILE.onnx")
                .desc("also save the loaded model there each run (written atomically)").build());
        o.addOption(Option.builder().longOpt("json").desc("print the result as JSON").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws IOException {
        Path file = CliArgs.singleModel(cmd);
        if (!Files.isRegularFile(file)) {
            throw new UserError("no such file: " + file);
        }
        int runs = Flags.positiveInt(cmd, "runs", Flags.MAX_COUNT, 5);
        Path saveTo = cmd.hasOption("save-to") ? OutputPaths.file(cmd, Flags.path(cmd, "save-to"), file) : null;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        List<Double> load = new ArrayList<>();
        List<Double> inspect = new ArrayList<>();
        List<Double> save = new ArrayList<>();
        List<Double> loadCpu = new ArrayList<>();
        List<Double> inspectCpu = new ArrayList<>();
        // main-thread CPU time: on a shared, overloaded machine wall time mostly measures the other processes
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ModelCount count = null;
        for (int i = 0; i < runs; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Model m;
            m = Onnx.load(file);
            long t1 = System.nanoTime();
            long c1 = threads.getCurrentThreadCpuTime();
            count = ModelCounter.count(m);
            long t2 = System.nanoTime();
            long c2 = threads.getCurrentThreadCpuTime();
            load.add((t1 - t0) / 1e6);
            inspect.add((t2 - t1) / 1e6);
            loadCpu.add((c1 - c0) / 1e6);
            inspectCpu.add((c2 - c1) / 1e6);
            if (saveTo != null) {
                Onnx.save(m, saveTo);
                save.add((System.nanoTime() - t2) / 1e6);
            }
        }
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        long rssPeak = peakRssBytes();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode j = mapper.createObjectNode();
        j.put("model", file.toString());
        j.put("file_bytes", Files.size(file));
        j.put("runs", runs);
        j.put("params", count.params());
        j.put("macs", count.macs());
        phase(j, "load", load);
        phase(j, "inspect", inspect);
        phase(j, "load_cpu", loadCpu);
        phase(j, "inspect_cpu", inspectCpu);
        if (saveTo != null) {
            phase(j, "save", save);
        }
        j.put("heap_peak_bytes", heapPeak);
        j.put("rss_peak_bytes", rssPeak);
        if (cmd.hasOption("json")) {
            ctx.out().println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(j));
            return 0;
        }
        ctx.out().printf("%s: %,d bytes, %,d params, %,d MACs%n", file, Files.size(file), count.params(),
                count.macs());
        for (String p : List.of("load", "inspect", "load_cpu", "inspect_cpu", "save")) {
            if (j.has(p + "_first_ms")) {
                ctx.out().printf("  %-11s first %8.1f ms   median of rest %8.1f ms%n", p,
                        j.get(p + "_first_ms").asDouble(), j.get(p + "_median_ms").asDouble());
            }
        }
        ctx.out().printf("  peak heap %,d MiB, peak RSS %,d MiB%n", heapPeak >> 20, rssPeak >> 20);
        return 0;
    }

    private static void phase(ObjectNode j, String name, List<Double> ms) {
        j.put(name + "_first_ms", ms.get(0));
        List<Double> rest = new ArrayList<>(ms.size() > 1 ? ms.subList(1, ms.size()) : ms);
        Collections.sort(rest);
        j.put(name + "_median_ms", rest.get(rest.size() / 2));
    }

    /** VmHWM from /proc/self/status (Linux); -1 where that file does not exist. */
    private static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}

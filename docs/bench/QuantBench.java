import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.calibration.data.DatasetSamples;
import dev.lathe.calibration.quant.QdqPlan;
import dev.lathe.calibration.stats.Calibration;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Runtimes;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.data.SyntheticDataset;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two issue-13 measurements, not checks.
 *
 * <p>{@code ops M.onnx ...}: the op census of the graph ONNX Runtime actually runs (ORT_ENABLE_ALL, 2 threads, the
 * optimized model written by ORT itself and read back), so "what stays float" is read from ORT, not assumed.
 *
 * <p>{@code calibrate M.onnx N B}: calibration cost. FP32 inference over N synthetic 224x224 images in batches of B,
 * then {@link Calibration#collect} over the same images (every tensor any plan needs, histograms for entropy and
 * the other methods), same session settings; prints both times, their ratio, the JVM's peak heap and the process's
 * peak RSS (VmHWM). Run each mode in its own JVM:
 * {@code java -Xmx8g -cp cli/target/lathe.jar docs/bench/QuantBench.java calibrate resnet50.onnx 512 32}.
 */
public class QuantBench {
    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("ops")) {
            for (int i = 1; i < args.length; i++) {
                ops(Path.of(args[i]));
            }
        } else if (args.length == 4 && args[0].equals("calibrate")) {
            calibrate(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            System.err.println("usage: QuantBench ops M.onnx... | calibrate M.onnx SAMPLES BATCH");
            System.exit(2);
        }
    }

    static void ops(Path model) throws Exception {
        Path optimized = Files.createTempFile("ort-optimized", ".onnx");
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setIntraOpNumThreads(2);
            o.setOptimizedModelFilePath(optimized.toString());
            try (OrtSession s = OrtEnvironment.getEnvironment().createSession(model.toString(), o)) {
                // the optimized model is written when the session is created
            }
        }
        Map<String, Integer> census = new TreeMap<>();
        for (Node n : Onnx.load(optimized).graph().nodes()) {
            census.merge((n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType(), 1, Integer::sum);
        }
        Files.deleteIfExists(optimized);
        System.out.println(model.getFileName() + ": " + census);
    }

    static void calibrate(Path file, int samples, int batch) throws Exception {
        Model prepared = QdqPlan.prepare(Onnx.load(file));
        List<String> tensors = QdqPlan.calibrationTensors(prepared);
        SyntheticDataset images = new SyntheticDataset(10, 3, 224, samples / 10 + 1, 1, 0, 1);
        SessionConfig config = SessionConfig.defaults().withThreads(2, 1);
        long t0 = System.nanoTime();
        try (Session s = Runtimes.get("ort-cpu").open(ModelSource.of(prepared), config)) {
            String input = s.inputs().get(0).name();
            new DatasetSamples(images, samples, batch, 0).forEachBatch(b -> {
                try (Outputs out = s.run(Map.of(input, b))) {
                    out.size();
                }
            });
        }
        double inference = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        Calibration.Result r = Calibration.collect(Runtimes.get("ort-cpu"), config, prepared, tensors,
                new DatasetSamples(images, samples, batch, 0));
        double calibration = (System.nanoTime() - t1) / 1e9;
        long heap = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                heap += p.getPeakUsage().getUsed();
            }
        }
        String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .findFirst().orElse("VmHWM: ?").replaceAll("\\s+", " ");
        System.out.printf("%s: %d samples, batch %d, %d tensors: FP32 inference %.1f s, calibration %.1f s (%.2fx);"
                + " peak heap %.0f MiB; %s%n", file.getFileName(), r.samples(), batch, tensors.size(), inference,
                calibration, calibration / inference, heap / 1048576.0, hwm);
    }
}


import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.pass.Passes;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Offline graph cleanup time, file to file: Lathe's load + {@code Passes.inferenceCleanup()} + save against ONNX
 * Runtime's own offline optimizer (session creation at ORT_ENABLE_BASIC with an optimized-model path, which does
 * constant folding, Conv+BN fusion and identity/dead-node removal and writes the file), alternating in one JVM.
 * Rounds from {@code -Dlathe.bench.rounds} (default 5). Prints one line
 * per model with both medians; docs/BENCHMARKS.md records the runs.
 *
 * <p>Run from the repository root with the CLI jar built: {@code java [-Dlathe.bench.rounds=R] -cp
 * cli/target/lathe.jar docs/bench/InferenceCleanupBench.java}; the models are the gzipped zero-weight torchvision
 * fixtures of the tests module.
 */
public class InferenceCleanupBench {
    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("lathe.bench.rounds", 5);
        Path tmp = Files.createTempDirectory("cleanup-bench");
        Path fixtures = Path.of("tests/src/test/resources/fixtures/torchvision");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (String key : List.of("resnet50_224_zero", "densenet201_224_zero")) {
            Path in = tmp.resolve(key + ".onnx");
            try (var gz = new java.util.zip.GZIPInputStream(Files.newInputStream(fixtures.resolve(key + ".onnx.gz")))) {
                Files.copy(gz, in, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            List<Double> lathe = new ArrayList<>();
            List<Double> ort = new ArrayList<>();
            for (int r = 0; r <= rounds; r++) { // round 0 warms up both and is not counted
                Path latheOut = tmp.resolve(key + "_lathe.onnx");
                long t0 = System.nanoTime();
                Model m = Onnx.load(in);
                Passes.inferenceCleanup().apply(m);
                Onnx.save(m, latheOut);
                long t1 = System.nanoTime();
                Path ortOut = tmp.resolve(key + "_ort.onnx");
                try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
                    o.setOptimizedModelFilePath(ortOut.toString());
                    try (OrtSession s = env.createSession(in.toString(), o)) {
                        if (s.getNumInputs() != 1) {
                            throw new IllegalStateException(key + ": expected one input");
                        }
                    }
                }
                long t2 = System.nanoTime();
                if (Files.size(latheOut) == 0 || Files.size(ortOut) == 0) {
                    throw new IllegalStateException(key + ": an optimizer wrote nothing");
                }
                if (r > 0) {
                    lathe.add((t1 - t0) / 1e6);
                    ort.add((t2 - t1) / 1e6);
                }
            }
            double lm = median(lathe);
            double om = median(ort);
            System.out.printf("BENCH %s (%d MB): lathe load+cleanup+save median %.0f ms %s, ORT basic-opt session+save"
                    + " median %.0f ms %s, lathe/ort %.2f%n", key, Files.size(in) >> 20, lm, lathe, om, ort, lm / om);
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}

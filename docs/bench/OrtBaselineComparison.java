
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TensorSpec;
import dev.lathe.runtime.bench.BenchmarkConfig;
import dev.lathe.runtime.bench.BenchmarkResult;
import dev.lathe.runtime.bench.InferenceBenchmark;
import dev.lathe.runtime.bench.RandomInputs;
import dev.lathe.runtime.ort.OrtRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The BENCHMARKS.md comparison, not a check: Lathe's ORT session against a plain ONNX Runtime Java loop, timed by
 * the same harness in the same JVM, alternating A/B/A/B. Skipped unless {@code -Dlathe.bench=true}; the model is
 * {@code -Dlathe.bench.model=PATH} (default: the torchvision ResNet-18 fixture; {@code affine-relu} for a model with
 * almost no compute, which shows per-run overhead), batch {@code -Dlathe.bench.batch}, rounds
 * {@code -Dlathe.bench.rounds}.
 *
 * <p>Run from the repository root with the CLI jar built: {@code java [-Dlathe.bench.model=PATH|affine-relu]
 * [-Dlathe.bench.batch=B] [-Dlathe.bench.rounds=R] -cp cli/target/lathe.jar docs/bench/OrtBaselineComparison.java}.
 */
public class OrtBaselineComparison {

    /**
     * What a careful ORT Java user writes: input tensor made once over a direct buffer, {@code session.run}, output
     * read with {@code getFloatBuffer()} (ORT allocates the output; reading it copies), result closed. Wrapped as a
     * {@link Session} only so the same harness times it; the wrapper does no checking or pinning.
     */
    private static final class PlainOrtLoop implements Session {
        private final OrtSession session;
        private final Map<String, OnnxTensor> input;

        PlainOrtLoop(Path model, Map<String, HostTensor> inputs) throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setIntraOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model.toString(), o);
            Map.Entry<String, HostTensor> e = inputs.entrySet().iterator().next();
            input = Map.of(e.getKey(), OnnxTensor.createTensor(env, e.getValue().data().asFloatBuffer(),
                    e.getValue().shape()));
        }

        @Override
        public Outputs run(Map<String, HostTensor> ignored) {
            try (OrtSession.Result r = session.run(input)) {
                for (Map.Entry<String, OnnxValue> v : r) {
                    ((OnnxTensor) v.getValue()).getFloatBuffer();
                }
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
            return new Outputs(Map.of(), t -> { });
        }

        @Override
        public Outputs run(Map<String, HostTensor> in, Collection<String> names) {
            return run(in);
        }

        @Override
        public String runtimeName() {
            return "plain-ort-java";
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of();
        }

        @Override
        public List<TensorSpec> outputs() {
            return List.of();
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String modelArg = System.getProperty("lathe.bench.model",
                "tests/src/test/resources/fixtures/torchvision/resnet18_narrow_op17.onnx");
        Path model;
        if (modelArg.equals("affine-relu")) {
            // a model with almost no compute, so the difference is the per-run cost of each binding
            model = Files.createTempFile("affine-relu", ".onnx");
            model.toFile().deleteOnExit();
            dev.lathe.graph.build.GraphBuilder b = new dev.lathe.graph.build.GraphBuilder("affine_relu", 17);
            dev.lathe.graph.ir.Value x = b.input("x", dev.lathe.graph.ir.DataType.FLOAT, "N", 4);
            dev.lathe.graph.ir.Tensor w = dev.lathe.graph.ir.Tensor.ofFloats(new long[] {4}, 0.5f, -1f, 2f, 0.25f);
            b.output(b.ops().relu(b.ops().add(b.ops().mul(x, b.param("w", w)), b.param("b", w))), "y");
            dev.lathe.graph.serde.Onnx.save(b.build(), model);
        } else {
            model = Path.of(modelArg);
        }
        int batch = Integer.getInteger("lathe.bench.batch", 1);
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model " + model + " not found");
        }
        InferenceBenchmark bench = new InferenceBenchmark(BenchmarkConfig.defaults());
        try (Session lathe = OrtRuntime.cpu().open(ModelSource.file(model), SessionConfig.defaults().withThreads(1, 0))) {
            Map<String, HostTensor> inputs = RandomInputs.forSpecs(lathe.inputs(), batch, 0);
            int rounds = Integer.getInteger("lathe.bench.rounds", 3);
            double[] medianRatio = new double[rounds];
            double[] throughputRatio = new double[rounds];
            try (Session plain = new PlainOrtLoop(model, inputs)) {
                for (int round = 0; round < rounds; round++) {
                    BenchmarkResult p = bench.run(plain, inputs, batch, model.getFileName().toString());
                    BenchmarkResult l = bench.run(lathe, inputs, batch, model.getFileName().toString());
                    medianRatio[round] = l.medianMs() / p.medianMs();
                    throughputRatio[round] = l.throughput() / p.throughput();
                    System.out.printf(java.util.Locale.ROOT,
                            "round %d batch %d: plain ORT min/median %.4f/%.4f ms, %.1f items/s, %d it | lathe"
                                    + " min/median %.4f/%.4f ms, %.1f items/s, %d it%n",
                            round + 1, batch, p.minMs(), p.medianMs(), p.throughput(), p.iterations(), l.minMs(),
                            l.medianMs(), l.throughput(), l.iterations());
                }
            }
            java.util.Arrays.sort(medianRatio);
            java.util.Arrays.sort(throughputRatio);
            System.out.printf(java.util.Locale.ROOT, "%s batch %d: lathe/plain median latency ratio %.3f,"
                    + " throughput ratio %.3f (median over %d rounds)%n", model.getFileName(), batch,
                    medianRatio[rounds / 2], throughputRatio[rounds / 2], rounds);
        }
    }
}

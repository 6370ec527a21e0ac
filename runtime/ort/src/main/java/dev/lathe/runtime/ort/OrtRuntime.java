package dev.lathe.runtime.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InferenceRuntime;
import dev.lathe.runtime.IntermediateOutputs;
import dev.lathe.runtime.ModelSource;
import dev.lathe.runtime.RuntimeUnavailableException;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.SessionConfig;
import dev.lathe.runtime.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * ONNX Runtime ({@code com.microsoft.onnxruntime}) behind {@link InferenceRuntime}, as two runtimes: {@code ort-cpu},
 * and {@code ort-cuda}, the CUDA execution provider, which needs the {@code cuda} Maven profile to put
 * {@code onnxruntime_gpu} on the class path.
 *
 * <p>What it does with the runtime-neutral config: precision FP32 and INT8_QDQ run the graph as it is (ORT runs
 * QuantizeLinear/DequantizeLinear graphs with its own kernels); FP16 is refused. Shape profiles are not needed, since
 * ORT takes any input shape on every run, and there is nothing compiled to cache, so both are accepted and unused. A
 * prebuilt engine is refused. On the CPU, in-memory models whose Convs take their weights at run time (train steps)
 * are put on ORT's blocked kernels ({@link OrtNchwc}).
 */
public final class OrtRuntime implements InferenceRuntime {
    private final OrtEnvironment env;
    private final SessionConfig.Device.Kind kind;

    private OrtRuntime(SessionConfig.Device.Kind kind) {
        OrtNativeCache.install(); // before ORT's loader runs: native libraries from the per-user cache
        this.env = OrtEnvironment.getEnvironment();
        this.kind = kind;
    }

    /** {@code ort-cpu}. */
    public static OrtRuntime cpu() {
        return new OrtRuntime(SessionConfig.Device.Kind.CPU);
    }

    /** {@code ort-cuda}; whether CUDA loads is found out when a session is opened. */
    public static OrtRuntime cuda() {
        return new OrtRuntime(SessionConfig.Device.Kind.CUDA);
    }

    @Override
    public String name() {
        return kind == SessionConfig.Device.Kind.CPU ? OrtProviders.CPU : OrtProviders.CUDA;
    }

    @Override
    public SessionConfig.Device defaultDevice() {
        return kind == SessionConfig.Device.Kind.CPU ? SessionConfig.Device.CPU : SessionConfig.Device.cuda(0);
    }

    /** Execution providers compiled into the ONNX Runtime jar on the class path, e.g. [CPU] or [CPU, CUDA, TENSOR_RT]. */
    public static EnumSet<OrtProvider> availableProviders() {
        return OrtEnvironment.getAvailableProviders();
    }

    @Override
    public Session open(ModelSource model, SessionConfig config) {
        String modelName = model.describe();
        refuseWhatOrtCannotDo(model, config);
        SessionOptions options = new SessionOptions();
        OrtSession session = null;
        try {
            configure(options, config);
            if (kind == SessionConfig.Device.Kind.CUDA) {
                addCuda(options, config.device().index());
            }
            session = create(model, config, options, modelName);
            List<TensorSpec> inputs = new ArrayList<>();
            for (NodeInfo n : session.getInputInfo().values()) {
                inputs.add(OrtTypes.spec(n, modelName));
            }
            List<TensorSpec> outputs = new ArrayList<>();
            for (NodeInfo n : session.getOutputInfo().values()) {
                outputs.add(OrtTypes.spec(n, modelName));
            }
            OrtInferenceSession s = new OrtInferenceSession(env, session, options, inputs, outputs,
                    "onnxruntime/" + config.device(), modelName);
            session = null;
            options = null;
            return s;
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime could not open " + modelName + ": " + e.getMessage(), e);
        } finally {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException e) {
                    // the open already failed; that failure is the one to report
                }
            }
            if (options != null) {
                options.close();
            }
        }
    }

    /** One line for each setting ORT cannot honour; see the class comment for what it accepts and ignores. */
    private void refuseWhatOrtCannotDo(ModelSource model, SessionConfig config) {
        if (config.device().kind() != kind) {
            throw new InferenceException(name() + " runs on " + defaultDevice().kind().name().toLowerCase(
                    Locale.ROOT) + ", not on " + config.device() + "; use the runtime "
                    + (config.device().kind() == SessionConfig.Device.Kind.CPU ? OrtProviders.CPU : OrtProviders.CUDA)
                    + " for " + model.describe());
        }
        if (model instanceof ModelSource.Engine) {
            throw new InferenceException(name() + " cannot open " + model.describe() + ": ONNX Runtime compiles"
                    + " .onnx models; an engine opens only in the runtime that built it");
        }
        if (config.precision() == SessionConfig.Precision.FP16) {
            throw new InferenceException(name() + " does not support precision FP16: ONNX Runtime computes in the"
                    + " graph's own types; convert " + model.describe() + " to float16, or use FP32");
        }
    }

    private OrtSession create(ModelSource model, SessionConfig config, SessionOptions options, String modelName)
            throws OrtException {
        List<String> extra = config.exposedIntermediates();
        if (model instanceof ModelSource.File f && extra.isEmpty()) {
            // ORT reads the file itself, so external data next to it resolves as the file says
            return env.createSession(f.path().toString(), options);
        }
        Model m;
        if (model instanceof ModelSource.InMemory im) {
            m = im.model();
        } else {
            try {
                m = Onnx.load(((ModelSource.File) model).path());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + modelName + ": " + e.getMessage(), e);
            }
        }
        byte[] bytes = IntermediateOutputs.serializeWith(m, extra, modelName);
        return env.createSession(kind == SessionConfig.Device.Kind.CPU ? OrtNchwc.cpuSessionBytes(m, bytes, modelName)
                : bytes, options);
    }

    private static void configure(SessionOptions options, SessionConfig config) throws OrtException {
        if (config.intraOpThreads() > 0) {
            options.setIntraOpNumThreads(config.intraOpThreads());
        }
        if (config.interOpThreads() > 0) {
            options.setInterOpNumThreads(config.interOpThreads());
        }
        options.setOptimizationLevel(optLevel(config.optimization()));
        if (!config.idleSpinning()) {
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
        }
    }

    static OptLevel optLevel(SessionConfig.Optimization o) {
        if (o == SessionConfig.Optimization.NONE) {
            return OptLevel.NO_OPT;
        } else if (o == SessionConfig.Optimization.BASIC) {
            return OptLevel.BASIC_OPT;
        } else if (o == SessionConfig.Optimization.EXTENDED) {
            return OptLevel.EXTENDED_OPT;
        }
        return OptLevel.ALL_OPT;
    }

    /** Adds the CUDA execution provider, or throws naming what is missing (the CPU-only jar, a CUDA library). */
    public static void addCuda(SessionOptions options, int device) {
        try {
            options.addCUDA(device);
        } catch (OrtException e) {
            throw new RuntimeUnavailableException(cudaUnavailableMessage(device, e.getMessage()), e);
        }
    }

    /** Why no CUDA session can open at all: the jar on the class path has no CUDA provider; empty when it has. */
    static Optional<String> cudaMissingFromJar() {
        EnumSet<OrtProvider> providers = availableProviders();
        if (providers.contains(OrtProvider.CUDA)) {
            return Optional.empty();
        }
        return Optional.of("the ONNX Runtime jar on the class path is the CPU-only build (providers "
                + providers + "); build with the cuda Maven profile (./mvnw -Pcuda package) to get onnxruntime_gpu,"
                + " which needs CUDA 12 and cuDNN 9");
    }

    /** Says why the CUDA provider did not load and what to install, from the jar's providers and the library path. */
    static String cudaUnavailableMessage(int device, String ortMessage) {
        StringBuilder sb = new StringBuilder("CUDA device ").append(device).append(" unavailable: ");
        Optional<String> notInJar = cudaMissingFromJar();
        if (notInJar.isPresent()) {
            sb.append(notInJar.get());
        } else {
            List<String> missing = CudaLibraries.missing();
            sb.append("onnxruntime_gpu could not load its CUDA provider");
            if (missing.isEmpty()) {
                sb.append(" although CUDA 12 and cuDNN 9 libraries were found; check the driver (nvidia-smi)");
            } else {
                sb.append("; not found on the library path: ").append(String.join(", ", missing))
                        .append(" (install CUDA 12 runtime, cuBLAS, cuRAND and cuDNN 9, or add their folder to")
                        .append(" LD_LIBRARY_PATH)");
            }
        }
        sb.append(". ONNX Runtime said: ").append(ortMessage);
        return sb.toString();
    }
}

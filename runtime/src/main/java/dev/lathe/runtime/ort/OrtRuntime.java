package dev.lathe.runtime.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
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

/**
 * ONNX Runtime ({@code com.microsoft.onnxruntime}) behind {@link InferenceRuntime}: CPU by default, the CUDA
 * execution provider when the {@code cuda} Maven profile puts {@code onnxruntime_gpu} on the class path.
 */
public final class OrtRuntime implements InferenceRuntime {
    private final OrtEnvironment env;

    public OrtRuntime() {
        this.env = OrtEnvironment.getEnvironment();
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    /** Execution providers compiled into the ONNX Runtime jar on the class path, e.g. [CPU] or [CPU, CUDA, TENSOR_RT]. */
    public static EnumSet<OrtProvider> availableProviders() {
        return OrtEnvironment.getAvailableProviders();
    }

    @Override
    public Session open(ModelSource model, SessionConfig config) {
        String modelName = model.describe();
        SessionOptions options = new SessionOptions();
        OrtSession session = null;
        try {
            configure(options, config);
            if (config.device().kind() == SessionConfig.Device.Kind.CUDA) {
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
        return env.createSession(IntermediateOutputs.serializeWith(m, extra, modelName), options);
    }

    private static void configure(SessionOptions options, SessionConfig config) throws OrtException {
        if (config.intraOpThreads() > 0) {
            options.setIntraOpNumThreads(config.intraOpThreads());
        }
        if (config.interOpThreads() > 0) {
            options.setInterOpNumThreads(config.interOpThreads());
        }
        options.setOptimizationLevel(optLevel(config.optimization()));
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

    /** Says why the CUDA provider did not load and what to install, from the jar's providers and the library path. */
    static String cudaUnavailableMessage(int device, String ortMessage) {
        EnumSet<OrtProvider> providers = availableProviders();
        StringBuilder sb = new StringBuilder("CUDA device ").append(device).append(" unavailable: ");
        if (!providers.contains(OrtProvider.CUDA)) {
            sb.append("the ONNX Runtime jar on the class path is the CPU-only build (providers ").append(providers)
                    .append("); build with the cuda Maven profile (./mvnw -Pcuda package) to get onnxruntime_gpu,")
                    .append(" which needs CUDA 12 and cuDNN 9");
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

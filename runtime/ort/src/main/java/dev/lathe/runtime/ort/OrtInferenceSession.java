package dev.lathe.runtime.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Shape;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InferenceException;
import dev.lathe.runtime.InputValidator;
import dev.lathe.runtime.Outputs;
import dev.lathe.runtime.Session;
import dev.lathe.runtime.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Session} over an {@link OrtSession}.
 *
 * <p>Inputs: each {@link HostTensor}'s direct buffer is wrapped in place (no copy); the wrapper is kept while the
 * caller passes the same tensor object again, so a refilled input costs nothing per run.
 *
 * <p>Outputs are "pinned": ORT writes straight into direct buffers this session allocated, whenever the output's
 * shape is known before the run (fixed in the model, a symbolic dimension bound by the inputs, or seen on an earlier
 * run with the same input shapes). Otherwise ORT allocates, and the result is copied once into such a buffer. Closed
 * {@link Outputs} hand their buffers back for the next run, so a benchmark loop allocates nothing.
 */
final class OrtInferenceSession implements Session {
    /** Free buffers kept per output name; more are released to the garbage collector. */
    private static final int FREE_BUFFERS_PER_OUTPUT = 4;
    /** Input-shape signatures whose output shapes are remembered; past this the memory is cleared. */
    private static final int LEARNED_SHAPES_LIMIT = 256;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final SessionOptions options;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final Map<String, TensorSpec> outputsByName = new HashMap<>();
    private final List<String> outputNames;
    private final String runtimeName;
    private final String modelName;

    private final Map<String, WrappedInput> inputCache = new HashMap<>();
    private final Map<String, Deque<PinnedBuffer>> freeBuffers = new HashMap<>();
    private final Map<LearnedKey, long[]> learnedShapes = new HashMap<>();
    /** Outputs whose shape turned out not to follow from input shapes (data-dependent): never pinned again. */
    private final Set<String> neverPin = new HashSet<>();
    private boolean closed;

    private record WrappedInput(HostTensor tensor, OnnxTensor ort) {}

    private record PinnedBuffer(String output, DataType dtype, long[] shape, ByteBuffer data, OnnxTensor ort) {
        boolean fits(DataType t, long[] s) {
            return dtype == t && Arrays.equals(shape, s);
        }
    }

    private record LearnedKey(String output, String inputShapes) {}

    OrtInferenceSession(OrtEnvironment env, OrtSession session, SessionOptions options, List<TensorSpec> inputs,
                        List<TensorSpec> outputs, String runtimeName, String modelName) {
        this.env = env;
        this.session = session;
        this.options = options;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        for (TensorSpec s : outputs) {
            outputsByName.put(s.name(), s);
        }
        this.outputNames = outputs.stream().map(TensorSpec::name).toList();
        this.runtimeName = runtimeName;
        this.modelName = modelName;
    }

    @Override
    public synchronized String runtimeName() {
        checkOpen();
        return runtimeName;
    }

    @Override
    public synchronized List<TensorSpec> inputs() {
        checkOpen();
        return inputs;
    }

    @Override
    public synchronized List<TensorSpec> outputs() {
        checkOpen();
        return outputs;
    }

    @Override
    public Outputs run(Map<String, HostTensor> given) {
        return run(given, outputNames);
    }

    @Override
    public synchronized Outputs run(Map<String, HostTensor> given, Collection<String> outputNames) {
        checkOpen();
        Map<String, Long> symbols = InputValidator.validate(inputs, given);
        List<String> wanted = InputValidator.validateOutputNames(outputs, outputNames);
        Map<String, OnnxTensor> ortInputs = wrapInputs(given);
        // the input-shape signature keys learned output shapes; built only for outputs whose shape is open
        String signature = null;

        Map<String, PinnedBuffer> pinned = new LinkedHashMap<>();
        Set<String> guessed = new HashSet<>();
        for (String name : wanted) {
            TensorSpec spec = outputsByName.get(name);
            long[] shape = neverPin.contains(name) ? null : resolve(spec.shape(), symbols);
            if (shape == null && !neverPin.contains(name)) {
                signature = signature == null ? signature(given) : signature;
                shape = learnedShapes.get(new LearnedKey(name, signature));
            }
            if (shape != null) {
                if (!spec.shape().isStatic()) {
                    guessed.add(name);
                }
                pinned.put(name, acquire(name, spec.dtype(), shape));
            }
        }
        OrtSession.Result result;
        try {
            result = runOrt(ortInputs, wanted, pinned);
        } catch (OrtException first) {
            if (guessed.isEmpty()) {
                giveBack(pinned.values());
                throw runFailure(first);
            }
            // A shape we inferred for a pinned output was wrong (the output's size depends on the data, or the
            // model reuses a symbol name); ORT refuses the buffer. Let ORT allocate those outputs from now on.
            neverPin.addAll(guessed);
            for (String name : guessed) {
                giveBack(List.of(pinned.remove(name)));
            }
            try {
                result = runOrt(ortInputs, wanted, pinned);
            } catch (OrtException second) {
                giveBack(pinned.values());
                throw runFailure(second);
            }
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        List<PinnedBuffer> owned = new ArrayList<>();
        try (OrtSession.Result r = result) {
            for (String name : wanted) {
                PinnedBuffer buf = pinned.get(name);
                if (buf == null) {
                    buf = copyOut(name, r);
                    if (!neverPin.contains(name)) {
                        if (learnedShapes.size() >= LEARNED_SHAPES_LIMIT) {
                            learnedShapes.clear();
                        }
                        signature = signature == null ? signature(given) : signature;
                        learnedShapes.put(new LearnedKey(name, signature), buf.shape());
                    }
                }
                owned.add(buf);
                out.put(name, HostTensor.wrap(buf.dtype(), buf.shape(), buf.data().duplicate()
                        .order(ByteOrder.nativeOrder()).clear()));
            }
        } catch (RuntimeException e) {
            giveBack(owned);
            throw e;
        }
        return new Outputs(out, tensors -> giveBack(owned));
    }

    private OrtSession.Result runOrt(Map<String, OnnxTensor> ortInputs, List<String> wanted,
                                     Map<String, PinnedBuffer> pinned) throws OrtException {
        Set<String> requested = new LinkedHashSet<>();
        for (String name : wanted) {
            if (!pinned.containsKey(name)) {
                requested.add(name);
            }
        }
        Map<String, OnnxValue> pinnedOrt = new LinkedHashMap<>();
        for (Map.Entry<String, PinnedBuffer> e : pinned.entrySet()) {
            pinnedOrt.put(e.getKey(), e.getValue().ort());
        }
        return session.run(ortInputs, requested, pinnedOrt);
    }

    /** Copies an output ORT allocated into a session buffer. */
    private PinnedBuffer copyOut(String name, OrtSession.Result r) {
        OnnxValue v = r.get(name).orElseThrow(() -> new InferenceException(
                modelName + ": ONNX Runtime returned no value for output '" + name + "'"));
        if (!(v instanceof OnnxTensor t)) {
            throw new InferenceException(modelName + ": output '" + name + "' is a " + v.getType()
                    + ", not a tensor");
        }
        long[] shape = t.getInfo().getShape();
        PinnedBuffer buf = acquire(name, outputsByName.get(name).dtype(), shape);
        buf.data().duplicate().clear().put(t.getByteBuffer());
        return buf;
    }

    private InferenceException runFailure(OrtException e) {
        return new InferenceException(modelName + ": ONNX Runtime run failed: " + e.getMessage(), e);
    }

    /** Output shape from the model's declaration and the inputs' symbol bindings; null if any dimension is open. */
    private static long[] resolve(Shape shape, Map<String, Long> symbols) {
        long[] out = new long[shape.rank()];
        for (int i = 0; i < out.length; i++) {
            Dim d = shape.get(i);
            if (d instanceof Dim.Fixed f) {
                out[i] = f.size();
            } else if (d instanceof Dim.Symbolic s && symbols.containsKey(s.name())) {
                out[i] = symbols.get(s.name());
            } else {
                return null;
            }
        }
        return out;
    }

    private Map<String, OnnxTensor> wrapInputs(Map<String, HostTensor> given) {
        Map<String, OnnxTensor> m = new HashMap<>();
        for (Map.Entry<String, HostTensor> e : given.entrySet()) {
            WrappedInput cached = inputCache.get(e.getKey());
            if (cached == null || cached.tensor() != e.getValue()) {
                if (cached != null) {
                    cached.ort().close();
                }
                HostTensor t = e.getValue();
                try {
                    cached = new WrappedInput(t, OrtTypes.wrap(env, t.dtype(), t.data(), t.shape()));
                } catch (OrtException ex) {
                    inputCache.remove(e.getKey());
                    throw new InferenceException(modelName + ": could not pass input '" + e.getKey() + "' to ONNX"
                            + " Runtime: " + ex.getMessage(), ex);
                }
                inputCache.put(e.getKey(), cached);
            }
            m.put(e.getKey(), cached.ort());
        }
        return m;
    }

    private static String signature(Map<String, HostTensor> given) {
        StringBuilder sb = new StringBuilder();
        given.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                sb.append(e.getKey()).append(Arrays.toString(e.getValue().shape())).append(';'));
        return sb.toString();
    }

    private PinnedBuffer acquire(String output, DataType dtype, long[] shape) {
        Deque<PinnedBuffer> free = freeBuffers.get(output);
        if (free != null) {
            for (Iterator<PinnedBuffer> it = free.iterator(); it.hasNext(); ) {
                PinnedBuffer b = it.next();
                if (b.fits(dtype, shape)) {
                    it.remove();
                    return b;
                }
            }
        }
        long bytes = HostTensor.byteSize(dtype, shape);
        if (bytes > Integer.MAX_VALUE - 64) {
            throw new InferenceException(modelName + ": output '" + output + "' of shape " + Arrays.toString(shape)
                    + " needs " + bytes + " bytes; host tensors are limited to 2 GB");
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        try {
            return new PinnedBuffer(output, dtype, shape.clone(), data, OrtTypes.wrap(env, dtype, data, shape));
        } catch (OrtException e) {
            throw new InferenceException(modelName + ": could not allocate output '" + output + "': "
                    + e.getMessage(), e);
        }
    }

    /** Takes buffers back from closed Outputs (or a failed run), for reuse by a later run. */
    private synchronized void giveBack(Collection<PinnedBuffer> buffers) {
        for (PinnedBuffer b : buffers) {
            if (closed) {
                b.ort().close();
                continue;
            }
            Deque<PinnedBuffer> free = freeBuffers.computeIfAbsent(b.output(), k -> new ArrayDeque<>());
            if (free.size() < FREE_BUFFERS_PER_OUTPUT) {
                free.addFirst(b);
            } else {
                b.ort().close();
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("session for " + modelName + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (WrappedInput w : inputCache.values()) {
            w.ort().close();
        }
        inputCache.clear();
        for (Deque<PinnedBuffer> d : freeBuffers.values()) {
            for (PinnedBuffer b : d) {
                b.ort().close();
            }
        }
        freeBuffers.clear();
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException("closing the ONNX Runtime session for " + modelName + " failed: "
                    + e.getMessage(), e);
        } finally {
            options.close();
        }
    }
}

package dev.lathe.runtime.bench;

import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Half;
import dev.lathe.runtime.HostTensor;
import dev.lathe.runtime.InputMismatchException;
import dev.lathe.runtime.TensorSpec;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Inputs for benchmarking a model without data: a dynamic leading dimension becomes the batch size, floats are
 * uniform in [0, 1), integers and booleans are 0 (a random index could be out of range for a Gather).
 */
public final class RandomInputs {
    private RandomInputs() {}

    /**
     * @throws InputMismatchException when a dimension other than the first is not fixed (say which and how to fix)
     */
    public static Map<String, HostTensor> forSpecs(List<TensorSpec> specs, int batch, long seed) {
        return forSpecs(specs, batch, seed, Map.of());
    }

    /**
     * @param shapes explicit shapes for some inputs (trtexec's {@code --shapes}); they must fit the model's spec
     * @throws InputMismatchException when a dimension other than the first is not fixed and no shape is given, when a
     *     given shape does not fit, or when a shape names an input the model does not have
     */
    public static Map<String, HostTensor> forSpecs(List<TensorSpec> specs, int batch, long seed,
                                                   Map<String, long[]> shapes) {
        for (String name : shapes.keySet()) {
            if (specs.stream().noneMatch(s -> s.name().equals(name))) {
                throw new InputMismatchException("a shape is given for '" + name + "', but the model's inputs are "
                        + specs.stream().map(TensorSpec::name).toList());
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : specs) {
            long[] given = shapes.get(spec.name());
            if (given != null) {
                if (!spec.accepts(given)) {
                    throw new InputMismatchException("shape " + java.util.Arrays.toString(given) + " given for input '"
                            + spec.name() + "' does not fit the model's " + spec.shape());
                }
                HostTensor t = HostTensor.allocate(spec.dtype(), given);
                fill(t, random);
                out.put(spec.name(), t);
                continue;
            }
            long[] shape = new long[spec.shape().rank()];
            for (int i = 0; i < shape.length; i++) {
                Dim d = spec.shape().get(i);
                if (d.isFixed()) {
                    shape[i] = d.size();
                } else if (i == 0) {
                    shape[i] = batch;
                } else {
                    throw new InputMismatchException("input '" + spec.name() + "' (" + spec.describe()
                            + ") has a dynamic dimension at axis " + i + "; only a dynamic batch (axis 0) can be"
                            + " chosen from the batch size; give the whole shape (--shape " + spec.name()
                            + "=1x3x224x224 style)");
                }
            }
            HostTensor t = HostTensor.allocate(spec.dtype(), shape);
            fill(t, random);
            out.put(spec.name(), t);
        }
        return out;
    }

    /**
     * Refuses a batch size the model cannot take: an input whose leading dimension is fixed to another size (a
     * model exported with batch 1 runs batch 1, whatever the benchmark is told).
     *
     * @throws InputMismatchException naming the input, its fixed batch and what to do
     */
    public static void requireBatch(List<TensorSpec> specs, int batch) {
        for (TensorSpec spec : specs) {
            if (spec.shape() != null && spec.shape().rank() > 0 && spec.shape().get(0).isFixed()
                    && spec.shape().get(0).size() != batch) {
                throw new InputMismatchException("input '" + spec.name() + "' (" + spec.describe()
                        + ") has a fixed batch of " + spec.shape().get(0).size() + ", so the model cannot run batch "
                        + batch + "; leave out --batch, or export the model with a dynamic batch dimension");
            }
        }
    }

    /**
     * Items per run of these inputs: the leading dimension they share (the batch the model really runs, whatever
     * was asked), 1 for inputs without one. Throughput is computed with this number.
     */
    public static int itemsPerRun(Map<String, HostTensor> inputs) {
        long items = -1;
        for (HostTensor t : inputs.values()) {
            if (t.shape().length == 0) {
                continue;
            }
            if (items < 0) {
                items = t.shape()[0];
            } else if (items != t.shape()[0]) {
                return 1; // inputs disagree on a leading size: it is not a batch, count runs
            }
        }
        return items <= 0 ? 1 : (int) items;
    }

    private static void fill(HostTensor t, SplittableRandom random) {
        ByteBuffer b = t.data();
        int n = (int) t.numel();
        DataType dtype = t.dtype();
        for (int i = 0; i < n; i++) {
            if (dtype == DataType.FLOAT) {
                b.putFloat(4 * i, (float) random.nextDouble());
            } else if (dtype == DataType.DOUBLE) {
                b.putDouble(8 * i, random.nextDouble());
            } else if (dtype == DataType.FLOAT16) {
                b.putShort(2 * i, Half.fromFloat((float) random.nextDouble()));
            } else {
                return; // integer and bool inputs stay 0
            }
        }
    }
}

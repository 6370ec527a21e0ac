package dev.lathe.converter.bind;

import dev.lathe.converter.ckpt.StoredTensor;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import dev.lathe.graph.ir.Value;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binds a {@link StateDict} to a model's initializers by name (state_dict key = initializer name, as torch.onnx and
 * the DSL's scopes name them). Strict binding changes the graph only when every key matches, like
 * {@code load_state_dict(strict=True)}; non-strict binding sets what matches and reports the rest.
 */
public final class StateDictBinder {
    private static final String COUNTER = "num_batches_tracked";

    private StateDictBinder() {}

    public static BindReport bind(Model model, StateDict stateDict, boolean strict) throws BindException {
        BindReport report = new BindReport(stateDict.source(), strict);
        report.notes.addAll(stateDict.notes());
        Map<String, Value> inits = model.graph().initializers();
        Map<Value, Tensor> updates = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : stateDict.tensors().entrySet()) {
            String key = e.getKey();
            StoredTensor stored = e.getValue();
            Value init = inits.get(key);
            if (init == null) {
                if (key.endsWith("." + COUNTER) || key.equals(COUNTER)) {
                    report.counters.add(key);
                } else {
                    report.unexpected.add(key);
                }
                continue;
            }
            Tensor current = init.constValue();
            if (!Arrays.equals(current.dims(), stored.shape())
                    || !DtypeConversion.possible(stored.dtype(), current.dtype())) {
                report.mismatched.add(new BindReport.Mismatch(key, stored.shape(), stored.dtype(), current.dims(),
                        current.dtype()));
                continue;
            }
            Tensor value;
            try {
                value = DtypeConversion.convert(key, stored.toTensor(), current.dtype());
            } catch (IllegalArgumentException ex) {
                report.mismatched.add(new BindReport.Mismatch(key, stored.shape(), stored.dtype(), current.dims(),
                        current.dtype()));
                continue;
            }
            if (stored.dtype() != current.dtype()) {
                report.converted.put(key, stored.dtype() + " -> " + current.dtype());
            }
            report.bound.add(key);
            updates.put(init, value);
        }
        for (Map.Entry<String, Value> e : inits.entrySet()) {
            if (!stateDict.tensors().containsKey(e.getKey()) && isParameterSlot(e.getKey(), e.getValue())) {
                report.missing.add(e.getKey());
            }
        }
        if (strict && !report.clean()) {
            throw new BindException(report);
        }
        updates.forEach(Value::setConstValue);
        report.applied = true;
        return report;
    }

    /**
     * Whether an initializer is a parameter a checkpoint should supply, as opposed to a constant the exporter or
     * builder made (shape vectors, axes, scalars): floating-point, and not named like an exporter constant
     * ({@code onnx::...}, {@code /path/Constant...}) or a builder constant ({@code ...const...}).
     */
    static boolean isParameterSlot(String name, Value v) {
        DataType t = v.constValue().dtype();
        if (!t.isFloatingPoint()) {
            return false;
        }
        String last = name.substring(name.lastIndexOf('.') + 1);
        return !name.startsWith("onnx::") && !name.startsWith("/") && !last.startsWith("const");
    }
}

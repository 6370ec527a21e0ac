package dev.lathe.calibration.stats;

import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.DataType;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tensors to calibrate by default: the graph inputs, every activation input of Conv, Gemm, MatMul and Add
 * (where TensorRT's explicit quantization puts Q/DQ; ORT's full layout also quantizes each Conv's output, which is
 * then the next layer's input or a graph output), and the graph outputs. Weights (initializers, Constant outputs)
 * are not activations and are left to the quantizer, which reads them directly. Only float32 tensors qualify.
 */
public final class CalibrationTargets {
    private static final Set<String> QUANTIZED_OPS = Set.of("Conv", "Gemm", "MatMul", "Add");

    private CalibrationTargets() {}

    /** The default tensors of {@code model}, in graph order, without repeats. The model is not modified. */
    public static List<String> defaults(Model model) {
        Model typed = model.copy(); // read-only analyses do not type the caller's model
        ShapeInference.inferModel(typed);
        Set<String> names = new LinkedHashSet<>();
        for (Value v : typed.graph().inputs()) {
            if (!v.isInitializer() && isFloat(v)) {
                names.add(v.name());
            }
        }
        for (Node n : typed.graph().nodes()) {
            if (QUANTIZED_OPS.contains(n.opType()) && n.domain().isEmpty()) {
                for (Value v : n.inputs()) {
                    if (v != null && isActivation(v)) {
                        names.add(v.name());
                    }
                }
            }
        }
        for (Value v : typed.graph().outputs()) {
            if (isFloat(v)) {
                names.add(v.name());
            }
        }
        return new ArrayList<>(names);
    }

    private static boolean isActivation(Value v) {
        Node producer = v.producer();
        return !v.isInitializer() && (producer == null || !producer.opType().equals("Constant")) && isFloat(v);
    }

    private static boolean isFloat(Value v) {
        return v.type() != null && v.type().dtype() == DataType.FLOAT;
    }
}

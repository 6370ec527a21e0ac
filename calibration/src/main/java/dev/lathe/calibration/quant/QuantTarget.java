package dev.lathe.calibration.quant;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which backend's fast layout the Q/DQ placement follows. The two differ because the backends fuse differently:
 * ORT's CPU kernels need a Q after every quantized op's output to become an all-integer graph (QLinearConv,
 * QLinearAdd, ...), while TensorRT wants symmetric int8 Q/DQ on the inputs of its int8 layers only.
 */
public enum QuantTarget {
    /** Q/DQ on every activation of a quantized op, uint8 asymmetric activations, int8 per-channel weights, int32 bias. */
    ORT_CPU("ort-cpu"),
    /** int8 symmetric activations (zero point 0) on the inputs of Conv/Gemm/MatMul and residual Adds, float bias. */
    TENSORRT("tensorrt");

    private final String label;

    QuantTarget(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static QuantTarget parse(String s) {
        for (QuantTarget t : values()) {
            if (t.label.equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown target '" + s + "'; known: "
                + Arrays.stream(values()).map(QuantTarget::label).collect(Collectors.joining(", ")));
    }
}

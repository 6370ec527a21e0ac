/**
 * Quantization passes: Q/DQ insertion for ONNX Runtime's integer kernels ({@code ort-cpu}) and TensorRT's explicit
 * quantization ({@code tensorrt}), FP16 conversion, per-layer sensitivity and top-1 agreement.
 */
package dev.lathe.calibration.quant;

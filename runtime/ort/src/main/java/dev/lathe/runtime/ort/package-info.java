/**
 * ONNX Runtime (Microsoft's Java binding) as the runtimes {@code ort-cpu} and {@code ort-cuda}
 * ({@link dev.lathe.runtime.ort.OrtProviders}): sessions on CPU or the CUDA execution provider, zero-copy inputs,
 * pinned outputs, and ORT-only knowledge such as its blocked (NCHWc) CPU Conv kernels. Module lathe-runtime-ort, the
 * only main code that imports {@code ai.onnxruntime}. Imports graph-ops and the runtime API; callers should reach it
 * through {@link dev.lathe.runtime.Runtimes} and need its classes only for ORT-specific tuning.
 */
package dev.lathe.runtime.ort;

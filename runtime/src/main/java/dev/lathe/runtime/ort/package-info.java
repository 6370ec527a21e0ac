/**
 * ONNX Runtime (Microsoft's Java binding) as an {@link dev.lathe.runtime.InferenceRuntime}: sessions on CPU or the
 * CUDA execution provider, zero-copy inputs, pinned outputs. The only package that imports {@code ai.onnxruntime}
 * for inference; nothing outside the runtime module should import it directly.
 */
package dev.lathe.runtime.ort;

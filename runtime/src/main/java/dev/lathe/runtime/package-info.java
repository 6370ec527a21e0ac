/**
 * The runtime-neutral inference interface: {@link dev.lathe.runtime.InferenceRuntime} opens a
 * {@link dev.lathe.runtime.Session} from a {@link dev.lathe.runtime.ModelSource}; inputs and outputs are
 * {@link dev.lathe.runtime.HostTensor}s in direct native-order memory. Nothing here knows ONNX Runtime, so a runtime
 * that owns device memory (TensorRT) fits behind it. Imports graph-ops only; calibration and cli import this.
 */
package dev.lathe.runtime;

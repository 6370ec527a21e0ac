/**
 * The runtime-neutral inference interface: {@link dev.lathe.runtime.InferenceRuntime} opens a
 * {@link dev.lathe.runtime.Session} from a {@link dev.lathe.runtime.ModelSource}; inputs and outputs are
 * {@link dev.lathe.runtime.HostTensor}s in direct native-order memory; {@link dev.lathe.runtime.Runtimes} finds the
 * installed runtimes by name through {@link dev.lathe.runtime.RuntimeProvider}s. Nothing here knows ONNX Runtime, so a
 * runtime that owns device memory (TensorRT) fits behind it. Module lathe-runtime-api: imports graph-ops only;
 * calibration, the CLI and every runtime module import it.
 */
package dev.lathe.runtime;

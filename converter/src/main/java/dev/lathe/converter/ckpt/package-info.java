/**
 * Reading checkpoints without Python: PyTorch zip archives and legacy pickle streams (through a restricted
 * {@code net.razorvine.pickle} unpickler that constructs only an allowlist of globals and keeps every other global as an
 * inert {@link dev.lathe.converter.ckpt.PyObject}), and safetensors files. Storages are memory-mapped where the file
 * stores them uncompressed; tensors become {@link dev.lathe.graph.ir.Tensor}s. Depends on graph-ops; imported by
 * {@code dev.lathe.converter.bind}, cli and tests.
 */
package dev.lathe.converter.ckpt;

/**
 * The converter: PyTorch checkpoints and safetensors files in ({@code ckpt}), bound by state_dict key to ONNX graphs
 * ({@code bind}). Depends on graph-ops only; imported by cli and tests.
 */
package dev.lathe.converter;

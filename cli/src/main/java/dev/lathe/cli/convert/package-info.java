/**
 * Checkpoint subcommands: {@code lathe ckpt inspect}, {@code lathe import} (bind a checkpoint to an ONNX graph or a
 * zoo model) and {@code lathe bench ckpt}. Uses converter, models and graph-ops; nothing imports it but {@code Main}.
 */
package dev.lathe.cli.convert;

/**
 * {@code lathe dynamic ...}: AnchorNet-style early-exit inference on the command line: confidence tables in the
 * authors' file format ({@code .pth} via the converter's reader and {@link dev.lathe.converter.ckpt.TorchSave},
 * {@code .npz}), evaluation of threshold settings, the threshold search with its Pareto front and plot (JFreeChart),
 * and the cascade over real images. Uses runtime/api ({@code dev.lathe.runtime.dynamic}), converter and graph-ops;
 * nothing imports it but {@code Main}.
 */
package dev.lathe.cli.dynamic;

/**
 * The metadata schema of Lathe models ({@link dev.lathe.converter.meta.ModelMetadata}): preprocessing, labels and
 * provenance in ONNX metadata_props under {@code lathe.}. Imports graph-ops only; used by the CLI and the packagers.
 */
package dev.lathe.converter.meta;

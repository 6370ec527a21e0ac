/**
 * Deployment packages: Triton model repositories ({@link dev.lathe.converter.deploy.TritonRepository}, configs
 * built as Triton's own ModelConfig message in {@code dev.lathe.converter.deploy.proto}) and Lathe bundles with a
 * SHA-256 manifest ({@link dev.lathe.converter.deploy.Bundle}). Imports graph-ops and the metadata schema.
 */
package dev.lathe.converter.deploy;

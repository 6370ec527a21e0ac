/**
 * Graph passes over the IR: the {@link dev.lathe.graph.pass.Pass} contract, {@link dev.lathe.graph.pass.PassRunner},
 * the passes themselves (dead-code elimination, constant folding of shape subgraphs, Conv+BatchNorm folding, identity
 * removal, topological sort) and the {@link dev.lathe.graph.pass.Passes} presets. Well-formedness after a pass is
 * {@link dev.lathe.graph.validate.ModelValidator#requireWellFormed}, the same check the CLI and tests use. Imports only
 * {@code ir}, {@code infer} and {@code validate}; anything above graph-ops (converter, runtime, cli, trainer export)
 * may import it.
 */
package dev.lathe.graph.pass;

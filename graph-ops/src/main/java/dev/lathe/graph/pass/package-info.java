/**
 * Graph passes over the IR: the {@link dev.lathe.graph.pass.Pass} contract, {@link dev.lathe.graph.pass.PassRunner},
 * the passes themselves (dead-code elimination, constant folding of shape subgraphs, Conv+BatchNorm folding, identity
 * removal, topological sort) and the {@link dev.lathe.graph.pass.Passes} presets. Imports only {@code ir} and
 * {@code infer}; anything above graph-ops (converter, runtime, cli, trainer export) may import it.
 */
package dev.lathe.graph.pass;

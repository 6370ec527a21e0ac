/** The builder DSL: GraphBuilder with module scopes named like PyTorch state_dict keys, typed Ops, Nn layers. */
package dev.lathe.graph.build;

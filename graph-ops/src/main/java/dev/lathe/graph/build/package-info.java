/**
 * The one graph-editing builder: {@link dev.lathe.graph.build.GraphBuilder} authors new graphs (module scopes named
 * like PyTorch state_dict keys, typed {@link dev.lathe.graph.build.Ops}, {@link dev.lathe.graph.build.Nn} layers)
 * and inserts into existing ones (before/after a node, at the end, with or without type inference) for autodiff,
 * the train step, surgery, passes and quantization. Imports the IR and shape inference.
 */
package dev.lathe.graph.build;
